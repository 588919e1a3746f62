package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runStep runs `slm step ARGS...` in-process and returns stdout, stderr and
// the error the command returned.
func runStep(args ...string) (string, string, error) {
	cmd := newStepCommand()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestStepPrepare(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "raw.csv")
	var b strings.Builder
	b.WriteString("text,intent\n")
	for i := range 20 {
		b.WriteString("hello number " + string(rune('a'+i)) + ",greet\n")
		b.WriteString("bye number " + string(rune('a'+i)) + ",bye\n")
	}
	if err := os.WriteFile(input, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	config := func(minRows string) string {
		p := filepath.Join(dir, "prepare-"+minRows+".json")
		doc := `{"dataset": {"name": "t", "format": "csv", "text_field": "text", "label_field": "intent",
			"expectations": {"min_rows": ` + minRows + `}},
			"cleaning": {"unicode_nfc": true, "collapse_whitespace": true, "lowercase": false, "deduplicate": true},
			"split": {"train": 0.5, "validation": 0.25, "test": 0.25, "stratify": true, "seed": 1}}`
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantStderr string
		wantErr    string
	}{
		{name: "success", args: []string{"prepare", "--config", config("40"), "--input", input, "--output", filepath.Join(dir, "ok")},
			wantOut: "prepare: 40 rows read, 40 kept: train 20, validation 10, test 10"},
		{name: "expectation fails", args: []string{"prepare", "--config", config("41"), "--input", input, "--output", filepath.Join(dir, "bad")},
			wantStderr: "## min_rows: 40\n\nthe input has 40 rows; at least 41 are expected", wantErr: "violates 1 expectation(s): min_rows"},
		{name: "separate report directory", args: []string{"prepare", "--config", config("40"), "--input", input, "--output", filepath.Join(dir, "split"), "--report", filepath.Join(dir, "split", "report")},
			wantOut: "prepare: 40 rows read, 40 kept"},
		{name: "missing flag", args: []string{"prepare", "--input", input, "--output", dir}, wantErr: `required flag(s) "config" not set`},
		{name: "missing config", args: []string{"prepare", "--config", filepath.Join(dir, "nope.json"), "--input", input, "--output", dir},
			wantErr: "reading prepare config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runStep(tt.args...)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantStderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", out, errOut, tt.wantOut, tt.wantStderr)
			}
		})
	}
}

func TestStepEvaluateFlags(t *testing.T) {
	_, _, err := runStep("evaluate", "--model", "m")
	if err == nil || !strings.Contains(err.Error(), `required flag(s) "output", "test" not set`) {
		t.Fatalf("error %v, want the missing flags named", err)
	}
	_, _, err = runStep("evaluate", "--model", filepath.Join(t.TempDir(), "none"), "--test", "step_test.go", "--output", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "evaluate:") {
		t.Fatalf("error %v, want an evaluate error", err)
	}
}
