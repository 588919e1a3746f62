package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// actionlint is the binary scripts/infra/build-tools.sh builds (make
// setup-actionlint).
func actionlint(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SLM_TOOLS_DIR")
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				t.Fatal(err)
			}
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "slm", "tools")
	}
	bin := filepath.Join(dir, "bin", "actionlint")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("actionlint is not built (%v): run make setup-actionlint", err)
	}
	return bin
}

// TestWorkflowsActionlint checks the workflows slm init writes with
// actionlint, after a negative control proves it rejects a broken one.
func TestWorkflowsActionlint(t *testing.T) {
	bin := actionlint(t)
	dir := filepath.Join(t.TempDir(), "demo-project")
	if code, _, stderr := runCLI(t, "init", dir); code != 0 {
		t.Fatal(stderr)
	}
	wf := filepath.Join(dir, ".github", "workflows")
	run := func(files ...string) (string, error) {
		out, err := exec.CommandContext(context.Background(), bin, append([]string{"-no-color", "-oneline"}, files...)...).CombinedOutput()
		return string(out), err
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(bad); err == nil || !strings.Contains(out, `property "nope" is not defined`) {
		t.Fatalf("actionlint accepted a workflow reading an undefined matrix: %s", out)
	}
	files, err := filepath.Glob(filepath.Join(wf, "*.yml"))
	if err != nil || len(files) != 2 {
		t.Fatalf("workflows %v: %v", files, err)
	}
	if out, err := run(files...); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}
