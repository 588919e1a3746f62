package prepare

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// splitRow is an input record with a split field; a nil split is written as
// an absent field (JSONL) or an empty cell (CSV).
type splitRow struct {
	text, label string
	split       *string
}

func sr(text, label, split string) splitRow { return splitRow{text, label, &split} }

// writeSplitInput writes rows with their "split" field as input.<format>.
func writeSplitInput(t *testing.T, rows []splitRow, format string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "input."+format)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	switch format {
	case FormatJSONL:
		enc := json.NewEncoder(f)
		for _, rw := range rows {
			obj := map[string]any{"text": rw.text, "intent": rw.label}
			if rw.split != nil {
				obj["split"] = *rw.split
			}
			if err := enc.Encode(obj); err != nil {
				t.Fatal(err)
			}
		}
	case FormatCSV:
		w := csv.NewWriter(f)
		_ = w.Write([]string{"text", "intent", "split"})
		for _, rw := range rows {
			s := ""
			if rw.split != nil {
				s = *rw.split
			}
			_ = w.Write([]string{rw.text, rw.label, s})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// officialRows: labels a, b, c with 6 train, 2 validation and 2 test texts
// each, the splits interleaved so that file order says nothing about them.
func officialRows() []splitRow {
	var rows []splitRow
	for i := range 10 {
		split := "train"
		switch i % 5 {
		case 1:
			split = "validation"
		case 3:
			split = "test"
		}
		for _, l := range []string{"a", "b", "c"} {
			rows = append(rows, sr(fmt.Sprintf("text %s number %d", l, i), l, split))
		}
	}
	return rows
}

func predefinedConfig() *Config {
	cfg := baseConfig()
	cfg.Split = SplitConfig{Field: "split"}
	return cfg
}

// TestRunPredefinedSplit: each row lands in the split its field names, in
// input order, whatever the labels' shares; a duplicate text stays in the
// split of its first occurrence.
func TestRunPredefinedSplit(t *testing.T) {
	for _, format := range []string{FormatJSONL, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			rows := append(officialRows(),
				sr("text a number 0", "a", "test"),  // duplicate of a train text: stays in train
				sr("only in test", "b", " test "),   // the value is trimmed
				sr("text c number 1", "b", "train"), // conflicts with a validation text: both dropped
			)
			out := t.TempDir()
			cfg := predefinedConfig()
			cfg.Dataset.Expectations.MaxDuplicateRatio = ptr(0.5)
			st, err := Run(context.Background(), cfg, Paths{Input: writeSplitInput(t, rows, format), Output: out})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{}
			for _, rw := range officialRows() {
				if rw.text == "text c number 1" {
					continue
				}
				want[*rw.split] = append(want[*rw.split], rw.label+"\t"+rw.text)
			}
			want["test"] = append(want["test"], "b\tonly in test")
			for _, split := range splitNames {
				if diff := cmp.Diff(want[split], readSplit(t, out, split)); diff != "" {
					t.Errorf("%s split (-want +got):\n%s", split, diff)
				}
			}
			if st.Splits.Train.Rows != 18 || st.Splits.Validation.Rows != 5 || st.Splits.Test.Rows != 7 {
				t.Errorf("split rows %d/%d/%d, want 18/5/7", st.Splits.Train.Rows, st.Splits.Validation.Rows, st.Splits.Test.Rows)
			}
			if st.Split.Field != "split" || st.Input.DuplicateRows != 2 || st.Input.ConflictingRows != 2 {
				t.Errorf("stats split %+v, duplicates %d, conflicting %d; want field \"split\", 2, 2", st.Split, st.Input.DuplicateRows, st.Input.ConflictingRows)
			}
			report, err := os.ReadFile(filepath.Join(out, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(report), `Split as each row's "split" field says`) {
				t.Errorf("report.md does not say the split is the rows':\n%s", report)
			}
		})
	}
}

// TestRunPredefinedSplitBadValues: rows whose split is missing or names no
// split are a violation in the report (every one counted, each located), and
// nothing is written; so is a split left empty.
func TestRunPredefinedSplitBadValues(t *testing.T) {
	tests := []struct {
		name      string
		rows      []splitRow
		wantCount int64
		wantInMD  []string
	}{
		{
			name: "unknown and missing values",
			rows: append(officialRows(),
				sr("spelt the dataset's way", "a", "val"),
				splitRow{"no split at all", "b", nil},
				sr("blank split", "c", "  "),
			),
			wantCount: 3,
			wantInMD:  []string{"## split_field: 3", `split is "val"`, "no split value", "input.jsonl:31", "input.jsonl:32", "input.jsonl:33"},
		},
		{
			name: "an empty split",
			rows: func() []splitRow {
				var rows []splitRow
				for _, rw := range officialRows() {
					if *rw.split != "test" {
						rows = append(rows, rw)
					}
				}
				return rows
			}(),
			wantCount: 0,
			wantInMD:  []string{"no row kept in the test split"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			cfg := predefinedConfig()
			cfg.Dataset.Expectations.MinExamplesPerLabel = nil
			_, err := Run(context.Background(), cfg, Paths{Input: writeSplitInput(t, tt.rows, FormatJSONL), Output: out})
			var ee *ExpectationError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want an *ExpectationError", err)
			}
			if len(ee.Violations) != 1 || ee.Violations[0].Expectation != "split_field" || ee.Violations[0].Count != tt.wantCount {
				t.Fatalf("violations %+v, want one split_field with count %d", ee.Violations, tt.wantCount)
			}
			for _, s := range tt.wantInMD {
				if !strings.Contains(ee.Report, s) {
					t.Errorf("report lacks %q:\n%s", s, ee.Report)
				}
			}
			for _, split := range splitNames {
				if _, err := os.Stat(filepath.Join(out, split, "data.jsonl")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s/data.jsonl written after a failed split (stat: %v)", split, err)
				}
			}
		})
	}
}

// TestRunPredefinedSplitCSVWithoutColumn: a CSV without the split column
// fails with a message naming the column and the setting.
func TestRunPredefinedSplitCSVWithoutColumn(t *testing.T) {
	input, _ := writeInput(t, baseRows(10), FormatCSV)
	_, err := Run(context.Background(), predefinedConfig(), Paths{Input: input, Output: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), `no column "split"`) || !strings.Contains(err.Error(), "split.field") {
		t.Fatalf("err = %v, want the missing split column named", err)
	}
}
