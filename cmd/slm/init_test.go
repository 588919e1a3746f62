package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInit scaffolds a project into a temporary directory as a new user
// would, then formats, validates and plans it for every environment.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo-project")
	code, stdout, stderr := runCLI(t, "init", dir)
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	var got []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".github/workflows/slm-deploy.yml", ".github/workflows/slm-plan.yml", ".gitignore",
		"envs/dev.slmvars.hcl", "envs/prod.slmvars.hcl", "envs/staging.slmvars.hcl", "pipeline.slm.hcl", "variables.slm.hcl"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	if !strings.Contains(stdout, `Wrote project "demo-project"`) {
		t.Errorf("stdout: %s", stdout)
	}
	// The example has the same layout: one configuration, a variable file per environment.
	for _, env := range []string{"dev", "staging", "prod"} {
		if _, err := os.Stat(filepath.Join(example, "envs", env+".slmvars.hcl")); err != nil {
			t.Errorf("the example lacks envs/%s.slmvars.hcl, which init writes: %v", env, err)
		}
	}
	if code, out, _ := runCLI(t, "fmt", "--check", "--recursive", dir); code != 0 {
		t.Errorf("the scaffold is not formatted: %s", out)
	}
	if code, _, stderr := runCLI(t, "validate", dir); code != 0 {
		t.Errorf("validate: %s", stderr)
	}
	for _, env := range []string{"dev", "staging", "prod"} {
		args := append([]string{"plan", dir, "--var-file", filepath.Join(dir, "envs", env+".slmvars.hcl"), "--out", filepath.Join(t.TempDir(), env)}, stepCode(t)...)
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || stderr != "" {
			t.Errorf("plan %s: exit %d, stderr (want none, not even warnings):\n%s", env, code, stderr)
		}
		if !strings.Contains(stdout, "Plan: ") || !strings.Contains(stdout, `SageMaker pipeline "demo-project-`+env+`"`) {
			t.Errorf("plan %s:\n%s", env, stdout)
		}
	}
	wf, err := os.ReadFile(filepath.Join(dir, ".github/workflows/slm-deploy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"key=demo-project/${ENV_NAME}/terraform.tfstate", "environment: prod", "SLM_VERSION: latest", `terraform_version: ${{ env.TF_VERSION }}`} {
		if !strings.Contains(string(wf), w) {
			t.Errorf("deploy workflow lacks %q", w)
		}
	}
}

func TestInitRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.slm.hcl"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "init", dir)
	if code != 1 || !strings.Contains(stderr, "is not empty (it has pipeline.slm.hcl)") || !strings.Contains(stderr, "--force") {
		t.Errorf("non-empty: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "pipeline.slm.hcl")); string(b) != "# mine\n" {
		t.Error("a refused init changed a file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("a refused init left %d entries", len(entries))
	}
	code, stdout, stderr := runCLI(t, "init", "--force", "--name", "mine", dir)
	if code != 0 || !strings.Contains(stdout, "Replaced "+filepath.Join(dir, "pipeline.slm.hcl")) {
		t.Errorf("--force: exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"init", filepath.Join(t.TempDir(), "9lives")}, `"9lives" does not make a project name`},
		{[]string{"init", "--name", "Bad_Name", filepath.Join(t.TempDir(), "x")}, `project name "Bad_Name"`},
	} {
		code, _, stderr := runCLI(t, bad.args...)
		if code != 1 || !strings.Contains(stderr, bad.want) {
			t.Errorf("%v: exit %d: %s", bad.args, code, stderr)
		}
	}
}

// TestInitGoVersion keeps the workflows' Go toolchain the one go.mod names.
func TestInitGoVersion(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(b)
	if m == nil || string(m[1]) != scaffoldGo {
		t.Errorf("go.mod says go %s, the scaffold installs %s", m[1], scaffoldGo)
	}
}
