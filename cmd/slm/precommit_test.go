package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHooks runs the real pre-commit (PyPI, in the project's venv)
// with the hooks of .pre-commit-hooks.yaml on a scratch repository, as a
// team would: the hooks repository is a snapshot of this checkout
// (committed and uncommitted files), named in the scratch repository's
// .pre-commit-config.yaml. pre-commit builds slm from it with the Go on
// PATH, reusing this machine's module cache.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds slm through pre-commit (about a minute); run without -short")
	}
	ctx := context.Background()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	preCommit := filepath.Join(root, ".venv", "bin", "pre-commit")
	if _, err := os.Stat(preCommit); err != nil {
		t.Fatalf("pre-commit is not installed (%v); run make setup-python", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	gomodcache := goEnv(t, "GOMODCACHE")
	tmp := t.TempDir()
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "cache"), "GOMODCACHE="+gomodcache, "GOFLAGS=-modcacherw -trimpath",
		"PATH="+filepath.Dir(goBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	sh := func(dir string, name string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(out string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		return out
	}

	// The hooks repository: this checkout's files, committed once.
	hooks := filepath.Join(tmp, "slm")
	list := must(sh(root, "git", "ls-files", "-co", "--exclude-standard"))
	for _, f := range strings.Split(strings.TrimSpace(list), "\n") {
		src := filepath.Join(root, f)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted, or a link into the machine (the venv)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(hooks, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	must(sh(hooks, "git", "init", "-q"))
	must(sh(hooks, "git", "add", "-A"))
	must(sh(hooks, "git", "commit", "-qm", "snapshot"))
	rev := strings.TrimSpace(must(sh(hooks, "git", "rev-parse", "HEAD")))

	// The scratch project: slm init, one file badly formatted.
	proj := filepath.Join(tmp, "project")
	if code, _, stderr := runCLI(t, "init", proj); code != 0 {
		t.Fatal(stderr)
	}
	config := "repos:\n  - repo: " + hooks + "\n    rev: " + rev + "\n    hooks:\n      - id: slm-fmt\n      - id: slm-validate\n"
	if err := os.WriteFile(filepath.Join(proj, ".pre-commit-config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := filepath.Join(proj, "envs", "dev.slmvars.hcl")
	good, err := os.ReadFile(vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vars, []byte(strings.Replace(string(good), "env           = \"dev\"", "env = \"dev\"", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	must(sh(proj, "git", "init", "-q"))
	must(sh(proj, "git", "add", "-A"))

	out, err := sh(proj, preCommit, "run", "--all-files")
	if err == nil || !strings.Contains(out, "slm fmt") || !strings.Contains(out, "Failed") || !strings.Contains(out, "files were modified by this hook") {
		t.Fatalf("pre-commit on a misformatted file: err %v, want the slm fmt hook to fail and fix it:\n%s", err, out)
	}
	if b, _ := os.ReadFile(vars); string(b) != string(good) {
		t.Errorf("slm fmt did not restore the canonical format:\n%s", b)
	}
	must(sh(proj, "git", "add", "-A"))
	out = must(sh(proj, preCommit, "run", "--all-files"))
	if strings.Count(out, "Passed") != 2 {
		t.Errorf("both hooks should pass on a formatted, valid project:\n%s", out)
	}

	// An invalid configuration fails slm-validate with slm's diagnostic.
	pipeline := filepath.Join(proj, "pipeline.slm.hcl")
	b, err := os.ReadFile(pipeline)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pipeline, []byte(strings.Replace(string(b), "dataset = dataset.examples", "dataset = dataset.exampels", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	must(sh(proj, "git", "add", "-A"))
	out, err = sh(proj, preCommit, "run", "--all-files")
	if err == nil || !strings.Contains(out, "slm validate") || !strings.Contains(out, "pipeline.slm.hcl:") || !strings.Contains(out, "exampels") {
		t.Errorf("pre-commit on an invalid reference: err %v, want slm-validate to fail naming the file:\n%s", err, out)
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}
