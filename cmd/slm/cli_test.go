package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

const example = "../../examples/intent"

// runCLI runs slm in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, []string{"PATH=/usr/bin"})
	return code, out.String(), errOut.String()
}

// stepCode names step code for plan: the test binary itself stands in for
// both the runner and the ONNX Runtime library (any x86-64 ELF will do);
// and plans offline (apply_test.go plans against moto).
func stepCode(t *testing.T) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--runner", exe, "--ort-lib", exe, "--offline"}
}

func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestValidate(t *testing.T) {
	broken := writeConfig(t, map[string]string{"main.slm.hcl": `project "p" {
  region           = "eu-west-1"
  artifact_storage = storage.a
}
storage "a" {
  bucket = "Bad_Bucket"
}
`})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string
		stderr   []string
	}{
		{name: "example is valid", args: []string{"validate", example}, stdout: []string{"Success! The configuration is valid."}},
		{name: "errors name file, line and column with a snippet", args: []string{"validate", broken}, wantCode: 1,
			stderr: []string{"Error: Invalid S3 bucket name", "main.slm.hcl:6:12", `6 |   bucket = "Bad_Bucket"`, "^^^^^^^^^^^^", "must be lower case"}},
		{name: "json diagnostics", args: []string{"validate", "--json", broken}, wantCode: 1,
			stdout: []string{`"valid": false`, `"error_count": 1`, `"summary": "Invalid S3 bucket name"`, `"line": 6`}},
		{name: "a directory without configuration", args: []string{"validate", t.TempDir()}, wantCode: 1, stderr: []string{"No configuration files"}},
		{name: "undeclared --var", args: append([]string{"plan", example, "--var-file", example + "/envs/dev.slmvars.hcl", "--var", "epoch=3", "--out", t.TempDir() + "/o"}, stepCode(t)...),
			wantCode: 1, stderr: []string{"Value for undeclared variable", `Did you mean "epochs"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestPlanWritesArtifactsAndPlan(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	args := append([]string{"plan", example, "--var-file", example + "/envs/staging.slmvars.hcl", "--out", out}, stepCode(t)...)
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Pipeline intent-staging (environment staging, region eu-west-1, account 222222222222)",
		"epochs                   = 5",
		"from var file " + example + "/envs/staging.slmvars.hcl:",
		"+ FineTune-intent (Training, from finetune.intent)",
		"gate.quality reads evaluate.intent; guards register.intent",
		"accuracy >= param.min_accuracy",
		"Offline: AWS was not read (--offline)",
		"Plan: 5 to add, 0 to change, 0 to destroy.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, stdout)
		}
	}
	var pl map[string]any
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pl); err != nil {
		t.Fatal(err)
	}
	if pl["format_version"] != "2.0" {
		t.Errorf("format_version = %v", pl["format_version"])
	}
	for _, a := range pl["artifacts"].([]any) {
		p := a.(map[string]any)["path"].(string)
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("plan lists %s, not written: %v", p, err)
		}
	}
	// A second plan replaces the output whole and gives the same bytes.
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("second plan: %s", stderr)
	}
	b2, _ := os.ReadFile(filepath.Join(out, "plan.json"))
	if !bytes.Equal(b, b2) {
		t.Error("plan.json differs between two identical plans")
	}
}

func TestPlanWritesNothingOnErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, append([]string{"plan", example, "--out", out}, stepCode(t)...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (no values for required variables)", code)
	}
	if !strings.Contains(stderr, "No value for required variable") {
		t.Errorf("stderr: %s", stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output directory exists after a failed plan: %v", err)
	}
}

func TestPlanRefusesForeignOutDir(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, append([]string{"plan", example, "--var-file", example + "/envs/dev.slmvars.hcl", "--out", out}, stepCode(t)...)...)
	if code != 1 || !strings.Contains(stderr, "refusing to replace") {
		t.Fatalf("exit %d, stderr %q; want a refusal", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "mine.txt")); string(b) != "keep" {
		t.Error("the user's file was touched")
	}
}

func TestPlanRefusesNonELFRunner(t *testing.T) {
	runner := filepath.Join(t.TempDir(), "slm")
	if err := os.WriteFile(runner, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	code, _, stderr := runCLI(t, "plan", example, "--var-file", example+"/envs/dev.slmvars.hcl", "--out", filepath.Join(t.TempDir(), "o"), "--runner", runner, "--ort-lib", exe, "--offline")
	if code != 1 || !strings.Contains(stderr, "is not a Linux executable") {
		t.Fatalf("exit %d, stderr %q; want a refusal of the runner", code, stderr)
	}
}

func TestFmt(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"main.slm.hcl":   "storage \"a\" {\nbucket = \"x-y-z\"\n  prefix=\"p/\"\n}\n",
		"ok.slmvars.hcl": "env = \"dev\"\n",
		"notes.txt":      "untouched",
	})
	code, stdout, _ := runCLI(t, "fmt", "--check", dir)
	if code != 1 || !strings.Contains(stdout, "main.slm.hcl") || strings.Contains(stdout, "ok.slmvars.hcl") {
		t.Fatalf("fmt --check: exit %d, listed %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "fmt", dir); code != 0 {
		t.Fatalf("fmt: %s", stderr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "main.slm.hcl"))
	want := "storage \"a\" {\n  bucket = \"x-y-z\"\n  prefix = \"p/\"\n}\n"
	if string(got) != want {
		t.Errorf("formatted:\n%s\nwant:\n%s", got, want)
	}
	if code, _, _ := runCLI(t, "fmt", "--check", dir); code != 0 {
		t.Error("fmt --check still fails after fmt")
	}
	bad := writeConfig(t, map[string]string{"main.slm.hcl": "storage \"a\" {\n"})
	if code, _, stderr := runCLI(t, "fmt", bad); code != 1 || !strings.Contains(stderr, "main.slm.hcl:") {
		t.Errorf("fmt on a syntax error: exit %d, %s", code, stderr)
	}
}

func TestGraph(t *testing.T) {
	code, stdout, stderr := runCLI(t, "graph", example)
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, want := range []string{
		`digraph "intent"`,
		`"Prepare-intents" -> "FineTune-intent";`,
		`"Gate-quality" -> "Register-intent" [label="pass"];`,
		`"Gate-quality" -> "Gate-quality-Failed" [label="fail", style=dashed];`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("graph lacks %q:\n%s", want, stdout)
		}
	}
}

// TestFmtCoversVarFilesInSubdirectories: `fmt --check DIR` checks the var
// files under DIR/envs/ (a CI check must not pass a misformatted one), but
// leaves configurations in subdirectories to --recursive. Before, envs/ was
// skipped.
func TestFmtCoversVarFilesInSubdirectories(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.slm.hcl": "storage \"a\" {\n  bucket = \"x-y-z\"\n}\n"})
	for name, content := range map[string]string{
		"envs/dev.slmvars.hcl":  "env=\"dev\"\n",
		"other/main.slm.hcl":    "storage \"b\" {\nbucket = \"x-y-z\"\n}\n",
		".hidden/x.slmvars.hcl": "a=1\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, _ := runCLI(t, "fmt", "--check", dir)
	if code != 1 || !strings.Contains(stdout, filepath.Join("envs", "dev.slmvars.hcl")) || strings.Contains(stdout, "other") || strings.Contains(stdout, "hidden") {
		t.Errorf("fmt --check DIR: exit %d, listed %q; want envs/dev.slmvars.hcl only", code, stdout)
	}
	if _, stdout, _ := runCLI(t, "fmt", "--check", "--recursive", dir); !strings.Contains(stdout, filepath.Join("other", "main.slm.hcl")) {
		t.Errorf("fmt --check --recursive DIR listed %q; want other/main.slm.hcl too", stdout)
	}
}

// TestPlanStrict: an undeclared value in a var file is a warning, and an
// error with --strict or SLM_STRICT=1.
func TestPlanStrict(t *testing.T) {
	vars := filepath.Join(t.TempDir(), "typo.slmvars.hcl")
	src, err := os.ReadFile(filepath.Join(example, "envs", "dev.slmvars.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vars, append(src, []byte("epocs = 3\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"plan", example, "--var-file", vars, "--out", filepath.Join(t.TempDir(), "out")}, stepCode(t)...)
	if code, _, stderr := runCLI(t, args...); code != 0 || !strings.Contains(stderr, "Warning: Value for undeclared variable") {
		t.Errorf("plan: exit %d, want 0 with a warning:\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, append(args, "--strict")...); code != 1 || !strings.Contains(stderr, "Error: Value for undeclared variable") || !strings.Contains(stderr, `Did you mean "epochs"?`) {
		t.Errorf("plan --strict: exit %d, want 1 with an error:\n%s", code, stderr)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut, []string{"PATH=/usr/bin", "SLM_STRICT=1"}); code != 1 {
		t.Errorf("plan with SLM_STRICT=1: exit %d, want 1", code)
	}
}

// TestVersionString: a linked version wins; otherwise the commit the Go
// toolchain stamped, so `slm version` does not say "dev" beside an
// `slm-edge version` naming the commit.
func TestVersionString(t *testing.T) {
	stamped := &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		linked string
		info   *debug.BuildInfo
		want   string
	}{
		{"abc1234", stamped, "abc1234"},
		{"dev", stamped, "0123456-dirty"},
		{"dev", &debug.BuildInfo{}, "dev"},
		{"dev", nil, "dev"},
	}
	for _, tt := range tests {
		if got := versionString(tt.linked, tt.info); got != tt.want {
			t.Errorf("versionString(%q) = %q, want %q", tt.linked, got, tt.want)
		}
	}
}
