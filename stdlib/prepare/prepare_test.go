package prepare

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// row is a test input record; a nil field is written as null (JSONL) or an
// empty cell (CSV).
type row struct{ text, label *string }

func r(text, label string) row { return row{&text, &label} }

// writeInput writes rows as input.<format> in a temp dir and returns its path
// and each row's 1-based line number.
func writeInput(t *testing.T, rows []row, format string) (string, []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "input."+format)
	var b bytes.Buffer
	lines := make([]int, len(rows))
	switch format {
	case FormatJSONL:
		for i, rw := range rows {
			obj := map[string]any{"text": nil, "intent": nil}
			if rw.text != nil {
				obj["text"] = *rw.text
			}
			if rw.label != nil {
				obj["intent"] = *rw.label
			}
			line, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
			lines[i] = i + 1
		}
	case FormatCSV:
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"id", "text", "intent"})
		for i, rw := range rows {
			rec := []string{fmt.Sprint(i), "", ""}
			if rw.text != nil {
				rec[1] = *rw.text
			}
			if rw.label != nil {
				rec[2] = *rw.label
			}
			_ = w.Write(rec)
			lines[i] = i + 2 // after the header; no test text holds a newline
		}
		w.Flush()
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

func ptr[T any](v T) *T { return &v }

// baseConfig describes the test data; every expectation holds for baseRows.
func baseConfig() *Config {
	return &Config{
		Dataset: DatasetConfig{
			Name: "test", TextField: "text", LabelField: "intent",
			Expectations: Expectations{
				MinRows: ptr[int64](1), MaxRows: ptr[int64](1000),
				NotNull:             []string{"text", "intent"},
				TextLength:          &LengthSpan{Min: ptr(3), Max: ptr(40)},
				AllowedLabels:       []string{"a", "b", "c"},
				MaxDuplicateRatio:   ptr(0.2),
				MinExamplesPerLabel: ptr[int64](5),
			},
		},
		Cleaning: CleaningConfig{UnicodeNFC: true, CollapseWhitespace: true, Lowercase: true, Deduplicate: true},
		Split:    SplitConfig{Train: 0.8, Validation: 0.1, Test: 0.1, Stratify: true, Seed: 42},
	}
}

// writeBase writes baseRows(10) as JSONL and returns its path.
func writeBase(t *testing.T) string {
	t.Helper()
	p, _ := writeInput(t, baseRows(10), FormatJSONL)
	return p
}

// baseRows: labels a, b, c with n distinct texts each, interleaved.
func baseRows(n int) []row {
	var rows []row
	for i := range n {
		for _, l := range []string{"a", "b", "c"} {
			rows = append(rows, r(fmt.Sprintf("text %s number %d", l, i), l))
		}
	}
	return rows
}

func TestRunExpectationViolations(t *testing.T) {
	long := strings.Repeat("x", 41)
	tests := []struct {
		name     string
		extra    []row // appended to baseRows(10)
		mutate   func(*Config)
		want     string // the one violated expectation
		count    int64
		exampleI int // index of the first example row in the full input; -1 for none
	}{
		{name: "min_rows", mutate: func(c *Config) { c.Dataset.Expectations.MinRows = ptr[int64](31) }, want: "min_rows", count: 30, exampleI: -1},
		{name: "max_rows", mutate: func(c *Config) { c.Dataset.Expectations.MaxRows = ptr[int64](29) }, want: "max_rows", count: 30, exampleI: -1},
		{name: "not_null text", extra: []row{{label: ptr("a")}}, want: "not_null", count: 1, exampleI: 30},
		{name: "not_null label", extra: []row{{text: ptr("a text without label")}}, want: "not_null", count: 1, exampleI: 30},
		{name: "not_null blank text", extra: []row{r("ok text", "a"), r(" \t ", "a")}, want: "not_null", count: 1, exampleI: 31},
		{name: "text_length.min", extra: []row{r("  hi  ", "a")}, want: "text_length.min", count: 1, exampleI: 30},
		{name: "text_length.max", extra: []row{r("ok text", "a"), r(long, "b")}, want: "text_length.max", count: 1, exampleI: 31},
		{name: "allowed_labels", extra: []row{r("a text of label e", "e")}, mutate: func(c *Config) { c.Dataset.Expectations.MinExamplesPerLabel = nil }, want: "allowed_labels", count: 1, exampleI: 30},
		{name: "max_duplicate_ratio", extra: baseRows(3), want: "max_duplicate_ratio", count: 9, exampleI: 30},
		{name: "min_examples_per_label", extra: []row{r("d one", "d"), r("d two", "d")},
			mutate: func(c *Config) {
				c.Dataset.Expectations.AllowedLabels = append(c.Dataset.Expectations.AllowedLabels, "d")
			},
			want: "min_examples_per_label", count: 1, exampleI: -1},
		{name: "min_examples_per_label counts allowed labels never seen", mutate: func(c *Config) {
			c.Dataset.Expectations.AllowedLabels = append(c.Dataset.Expectations.AllowedLabels, "never")
		}, want: "min_examples_per_label", count: 1, exampleI: -1},
	}
	for _, format := range []string{FormatJSONL, FormatCSV} {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				rows := append(baseRows(10), tt.extra...)
				input, lines := writeInput(t, rows, format)
				cfg := baseConfig()
				if tt.mutate != nil {
					tt.mutate(cfg)
				}
				out := t.TempDir()
				// A successful earlier run into the same directory: its
				// splits must not survive the failed run.
				if _, err := Run(context.Background(), baseConfig(), Paths{Input: writeBase(t), Output: out}); err != nil {
					t.Fatal(err)
				}
				_, err := Run(context.Background(), cfg, Paths{Input: input, Output: out})
				var ee *ExpectationError
				if !errors.As(err, &ee) {
					t.Fatalf("Run error = %v, want an *ExpectationError", err)
				}
				if len(ee.Violations) != 1 {
					t.Fatalf("violations = %+v, want exactly %s", ee.Violations, tt.want)
				}
				v := ee.Violations[0]
				if v.Expectation != tt.want || v.Count != tt.count {
					t.Errorf("violation %s count %d, want %s count %d", v.Expectation, v.Count, tt.want, tt.count)
				}
				if tt.exampleI >= 0 {
					if len(v.Examples) == 0 {
						t.Fatal("no example rows")
					}
					ex := v.Examples[0]
					if ex.File != filepath.Base(input) || ex.Line != lines[tt.exampleI] {
						t.Errorf("first example at %s:%d, want %s:%d", ex.File, ex.Line, filepath.Base(input), lines[tt.exampleI])
					}
					if !strings.Contains(ee.Report, fmt.Sprintf("%s:%d", ex.File, ex.Line)) {
						t.Errorf("report does not name the example row:\n%s", ee.Report)
					}
				}
				if !strings.Contains(ee.Report, "## "+tt.want+":") {
					t.Errorf("report does not name %s:\n%s", tt.want, ee.Report)
				}
				written, err := os.ReadFile(filepath.Join(out, "report.md"))
				if err != nil || string(written) != ee.Report {
					t.Errorf("report.md not written with the report (err %v)", err)
				}
				for _, f := range []string{"train/data.jsonl", "validation/data.jsonl", "test/data.jsonl", "stats.json"} {
					if _, err := os.Stat(filepath.Join(out, f)); !os.IsNotExist(err) {
						t.Errorf("a failed run left %s (stat err %v)", f, err)
					}
				}
			})
		}
	}
}

func TestRunNoExpectationViolated(t *testing.T) {
	for _, format := range []string{FormatJSONL, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			input, _ := writeInput(t, baseRows(10), format)
			st, err := Run(context.Background(), baseConfig(), Paths{Input: input, Output: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if st.Input.Rows != 30 || st.Input.KeptRows != 30 {
				t.Errorf("rows %d kept %d, want 30 and 30", st.Input.Rows, st.Input.KeptRows)
			}
		})
	}
}

// readSplit returns a split's rows as "label\ttext" lines.
func readSplit(t *testing.T, dir, split string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, split, "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var o map[string]string
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("%s: %v", split, err)
		}
		if len(o) != 2 {
			t.Fatalf("%s row %s: want exactly text and label", split, sc.Text())
		}
		out = append(out, o["label"]+"\t"+o["text"])
	}
	return out
}

func TestRunDeduplicatesAndDropsConflicts(t *testing.T) {
	rows := append(baseRows(10),
		r("Text  A number 1", "a"),       // duplicate of row 3 after cleaning, same label
		r("text b number 2", "c"),        // conflicts with row 7 (label b)
		r("TEXT B NUMBER 2", "b"),        // same text again: still one conflicting text
		r("Cafe\u0301 au lait", "a"),     // decomposed é...
		r("café\u00a0au lait", "a"),      // ...duplicates the composed form under NFC
		r("a fresh text", "b"),           // unique
		r("  another\tfresh text ", "c"), // unique after collapsing
	)
	cfg := baseConfig()
	cfg.Dataset.Expectations.MaxDuplicateRatio = ptr(0.5)
	input, _ := writeInput(t, rows, FormatJSONL)
	out := t.TempDir()
	st, err := Run(context.Background(), cfg, Paths{Input: input, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	in := st.Input
	want := InputStats{Files: []string{"input.jsonl"}, Rows: 37, DuplicateRows: 4, ConflictingTexts: 1, ConflictingRows: 3, KeptRows: 32}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input stats %+v, want %+v", in, want)
	}
	seen := map[string]string{}
	for _, split := range splitNames {
		for _, line := range readSplit(t, out, split) {
			if prev, dup := seen[line]; dup {
				t.Errorf("%q in both %s and %s", line, prev, split)
			}
			seen[line] = split
			if strings.Contains(line, "text b number 2") {
				t.Errorf("conflicting text written to %s: %q", split, line)
			}
		}
	}
	for _, must := range []string{"a\tcafé au lait", "c\tanother fresh text", "a\ttext a number 1"} {
		if _, ok := seen[must]; !ok {
			t.Errorf("%q missing from the splits", must)
		}
	}
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), `labelled "b" at input.jsonl line 8`) {
		t.Errorf("report.md does not flag the conflicting text:\n%s", report)
	}
}

func TestRunKeepsDuplicatesWhenAsked(t *testing.T) {
	rows := append(baseRows(10), r("text a number 1", "a"), r("text b number 1", "a"))
	cfg := baseConfig()
	cfg.Cleaning.Deduplicate = false
	input, _ := writeInput(t, rows, FormatJSONL)
	st, err := Run(context.Background(), cfg, Paths{Input: input, Output: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// The conflicting text (2 rows of "text b number 1") is still dropped;
	// the same-label duplicate is kept.
	if st.Input.KeptRows != 30 || st.Input.DuplicateRows != 2 || st.Input.ConflictingRows != 2 {
		t.Errorf("kept %d duplicates %d conflicting %d, want 30, 2, 2", st.Input.KeptRows, st.Input.DuplicateRows, st.Input.ConflictingRows)
	}
}

func TestRunSplitIsStratifiedAndDeterministic(t *testing.T) {
	rows := baseRows(40) // 120 rows, 40 per label
	// d has too few rows for the base expectation; it tests rounding.
	for i := range 7 {
		rows = append(rows, r(fmt.Sprintf("rare label d %d", i), "d"))
	}
	input, _ := writeInput(t, rows, FormatJSONL)
	csvInput, _ := writeInput(t, rows, FormatCSV)
	run := func(in string, seed int64, stratify bool) (string, *Stats) {
		cfg := baseConfig()
		cfg.Dataset.Expectations.MinExamplesPerLabel = nil
		cfg.Dataset.Expectations.AllowedLabels = nil
		cfg.Split.Seed, cfg.Split.Stratify = seed, stratify
		out := t.TempDir()
		st, err := Run(context.Background(), cfg, Paths{Input: in, Output: out})
		if err != nil {
			t.Fatal(err)
		}
		return out, st
	}
	outA, st := run(input, 7, true)
	outB, _ := run(input, 7, true)
	for _, f := range []string{"train/data.jsonl", "validation/data.jsonl", "test/data.jsonl", "stats.json", "report.md"} {
		a, errA := os.ReadFile(filepath.Join(outA, f))
		b, errB := os.ReadFile(filepath.Join(outB, f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed (errors %v, %v)", f, errA, errB)
		}
	}
	outCSV, _ := run(csvInput, 7, true)
	for _, split := range splitNames {
		if !reflect.DeepEqual(readSplit(t, outA, split), readSplit(t, outCSV, split)) {
			t.Errorf("%s: CSV and JSONL inputs of the same rows split differently", split)
		}
	}
	outOther, _ := run(input, 8, true)
	if reflect.DeepEqual(readSplit(t, outA, "test"), readSplit(t, outOther, "test")) {
		t.Error("seeds 7 and 8 gave the same test split")
	}

	// Stratified: every label's rows are divided by the fractions exactly.
	for label, n := range map[string]int64{"a": 40, "b": 40, "c": 40, "d": 7} {
		q := quotas(n, [3]float64{0.8, 0.1, 0.1})
		want := LabelCounts{Train: q[0], Validation: q[1], Test: q[2], Total: n}
		if got := st.Labels[label]; got != want {
			t.Errorf("label %s: %+v, want %+v", label, got, want)
		}
		for i, split := range splitNames {
			if got := st.Splits.at(i).Labels[label]; got != q[i] {
				t.Errorf("label %s in %s: %d rows, want %d", label, split, got, q[i])
			}
		}
	}
	if st.Splits.Train.Rows+st.Splits.Validation.Rows+st.Splits.Test.Rows != 127 {
		t.Errorf("splits hold %d rows, want 127", st.Splits.Train.Rows+st.Splits.Validation.Rows+st.Splits.Test.Rows)
	}
	// "text a number 10" is 16 characters and 4 words; "rare label d 0" 14 and 4.
	if d := st.Splits.Train.LengthWords; d.Min != 4 || d.Max != 4 {
		t.Errorf("train word lengths %+v, want all 4", d)
	}

	_, flat := run(input, 7, false)
	if got := flat.Splits.Train.Rows + flat.Splits.Validation.Rows + flat.Splits.Test.Rows; got != 127 ||
		flat.Splits.Test.Rows != 13 || flat.Splits.Validation.Rows != 13 {
		t.Errorf("unstratified split %d/%d/%d, want 101/13/13", flat.Splits.Train.Rows, flat.Splits.Validation.Rows, flat.Splits.Test.Rows)
	}
}

func TestRunInputErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{"malformed JSON", "x.jsonl", `{"text": "ok text", "intent": "a"}` + "\n\n" + `{"text": "broken` + "\n", "x.jsonl line 3: not a JSON object"},
		{"JSON line not an object", "x.jsonl", `{"text": "ok", "intent": "a"}` + "\n" + `["ok", "a"]`, "x.jsonl line 2: not a JSON object: the line is valid JSON but not an object"},
		{"JSON text not a string", "x.jsonl", `{"text": 12, "intent": "a"}`, `x.jsonl line 1: field "text": is 12; want a string`},
		{"JSON label an object", "x.jsonl", `{"text": "t", "intent": {"a": 1}}`, `field "intent": is an object or array`},
		{"CSV without the text column", "x.csv", "id,body,intent\n1,hello,a\n", `x.csv: the CSV header has no column "text" (it has id, body, intent)`},
		{"CSV ragged row", "x.csv", "text,intent\nhello,a\nbye,b,extra\n", "x.csv: record on line 3: wrong number of fields"},
		{"CSV bare quote", "x.csv", "text,intent\n\"hello,a\n", "x.csv:"},
		{"unknown extension", "x.txt", "hello", "cannot tell the format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := baseConfig()
			cfg.Dataset.Expectations = Expectations{}
			_, err := Run(context.Background(), cfg, Paths{Input: path, Output: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRunDirectoryInLexicalOrder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.jsonl":   `{"text": "shared text", "intent": "a"}` + "\n" + `{"text": "only in b", "intent": "b"}` + "\n",
		"a.csv":     "\ufefftext,intent\nShared   Text,a\nonly in a,b\n", // with a byte order mark
		"notes.txt": "ignored",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := baseConfig()
	cfg.Dataset.Expectations = Expectations{}
	cfg.Split = SplitConfig{Train: 1, Seed: 1}
	out := t.TempDir()
	st, err := Run(context.Background(), cfg, Paths{Input: dir, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.csv", "b.jsonl"}; !reflect.DeepEqual(st.Input.Files, want) {
		t.Errorf("files %v, want %v", st.Input.Files, want)
	}
	want := []string{"a\tshared text", "b\tonly in a", "b\tonly in b"}
	if got := readSplit(t, out, "train"); !reflect.DeepEqual(got, want) {
		t.Errorf("train %q, want %q", got, want)
	}
	// The digest covers every input byte (the byte order mark too) in
	// reading order: a.csv, then b.jsonl.
	sum := sha256.Sum256([]byte(files["a.csv"] + files["b.jsonl"]))
	if got, want := st.InputSHA256, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("input_sha256 %s, want %s", got, want)
	}
}

func TestRunNothingLeft(t *testing.T) {
	input, _ := writeInput(t, []row{{text: ptr("t")}, {label: ptr("a")}}, FormatJSONL)
	cfg := baseConfig()
	cfg.Dataset.Expectations = Expectations{}
	_, err := Run(context.Background(), cfg, Paths{Input: input, Output: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no rows left to split: 2 rows read, 2 without a text or label") {
		t.Fatalf("error %v, want 'no rows left to split'", err)
	}
}

func TestRunReportDirectory(t *testing.T) {
	input := writeBase(t)
	out, rep := t.TempDir(), filepath.Join(t.TempDir(), "report")
	if _, err := Run(context.Background(), baseConfig(), Paths{Input: input, Output: out, Report: rep}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"stats.json", "report.md"} {
		if _, err := os.Stat(filepath.Join(rep, f)); err != nil {
			t.Errorf("%s not in --report: %v", f, err)
		}
		if _, err := os.Stat(filepath.Join(out, f)); !os.IsNotExist(err) {
			t.Errorf("%s also in --output (stat err %v)", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "train", "data.jsonl")); err != nil {
		t.Errorf("train split not in --output: %v", err)
	}
	cfg := baseConfig()
	cfg.Dataset.Expectations.MinRows = ptr[int64](1000)
	_, err := Run(context.Background(), cfg, Paths{Input: input, Output: out, Report: rep})
	var ee *ExpectationError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v, want an expectation error", err)
	}
	if got, err := os.ReadFile(filepath.Join(rep, "report.md")); err != nil || string(got) != ee.Report {
		t.Errorf("failure report not in --report (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(rep, "stats.json")); !os.IsNotExist(err) {
		t.Errorf("the earlier run's stats.json survived the failed run (stat err %v)", err)
	}
}
