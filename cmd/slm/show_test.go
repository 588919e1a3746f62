package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedCode writes a minimal x86-64 ELF header as both the step runner and
// the ONNX Runtime library, so the uploads' digests, and with them the
// golden plans, do not change with the test binary.
func fixedCode(t *testing.T) []string {
	t.Helper()
	h := make([]byte, 64)
	copy(h, "\x7fELF\x02\x01\x01")
	h[16], h[18], h[20] = 2, 62, 1 // ET_EXEC, EM_X86_64, EV_CURRENT
	h[52], h[54], h[58] = 64, 56, 64
	f := filepath.Join(t.TempDir(), "elf")
	if err := os.WriteFile(f, h, 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{"--runner", f, "--ort-lib", f, "--offline"}
}

// TestShow plans the example and shows the saved plan as text, JSON and
// Markdown; the Markdown of the dev plan is a golden file (and the sample in
// the README).
func TestShow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev")
	args := append([]string{"plan", example, "--var-file", example + "/envs/dev.slmvars.hcl", "--out", dir}, fixedCode(t)...)
	code, planText, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}

	code, text, stderr := runCLI(t, "show", dir)
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, stderr)
	}
	// show prints what plan printed, less plan's last line about the files.
	if want, _, _ := strings.Cut(planText, "Wrote "); text != want {
		t.Errorf("show differs from plan's text:\n%s", cmp.Diff(want, text))
	}

	code, js, _ := runCLI(t, "show", "--json", dir)
	saved, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || js != string(saved) {
		t.Errorf("show --json is not plan.json (exit %d):\n%s", code, cmp.Diff(string(saved), js))
	}

	code, md, stderr := runCLI(t, "show", "--format", "markdown", dir)
	if code != 0 {
		t.Fatalf("show markdown: exit %d: %s", code, stderr)
	}
	golden := filepath.Join("testdata", "show", "intent-dev.md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading the golden file (go test ./cmd/slm -run TestShow -update): %v", err)
	}
	if d := cmp.Diff(string(want), md); d != "" {
		t.Errorf("Markdown plan differs from %s (-golden +got); rerun with -update if intended:\n%s", golden, d)
	}
}

func TestShowErrors(t *testing.T) {
	dir := t.TempDir()
	notPlan := filepath.Join(dir, "empty")
	file := filepath.Join(dir, "file")
	broken := filepath.Join(dir, "broken")
	future := filepath.Join(dir, "future")
	for _, d := range []string{notPlan, broken, future} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, b := range map[string]string{file: "x", broken + "/plan.json": `{"format_version": "1.0", "steps": [`, future + "/plan.json": `{"format_version": "9.0"}`} {
		if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"show", filepath.Join(dir, "absent")}, "does not exist; make a plan directory with slm plan DIR --out"},
		{[]string{"show", file}, "is a file, not a plan directory"},
		{[]string{"show", notPlan}, "is not a plan directory: it has no plan.json"},
		{[]string{"show", broken}, "is not a valid plan"},
		{[]string{"show", future}, `has plan format version "9.0"; this slm reads 2.x`},
		{[]string{"show", "--format", "html", future}, `--format "html" is not one of text, json, markdown`},
		{[]string{"show", "--json", "--format", "markdown", notPlan}, "--json and --format markdown disagree"},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}
