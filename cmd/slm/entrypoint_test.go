package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

// TestGeneratedEntrypointsRun takes the container commands the SageMaker
// backend writes for the Go steps and runs them against this binary's own
// command tree, with the container paths mapped to temporary directories:
// a flag the definition passes and the step does not know fails here, not
// in SageMaker.
func TestGeneratedEntrypointsRun(t *testing.T) {
	res := compiler.Load(context.Background(), compiler.Request{
		FS: os.DirFS(example), Dir: ".", Vars: lang.VarInputs{VarFiles: []string{"envs/dev.slmvars.hcl"}},
	})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	sm, err := sagemaker.Generate(res.Pipeline, sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: []byte("t")})
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		Steps []struct {
			Name      string
			Type      string
			Arguments struct {
				AppSpecification struct{ ContainerEntrypoint []string }
			}
		}
	}
	if err := json.Unmarshal(sm.Definition, &def); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	// The container's directories, mapped into the test's.
	mapped := func(arg string) string {
		if strings.HasPrefix(arg, "/opt/ml/") {
			return filepath.Join(root, arg)
		}
		return arg
	}
	var prepareConfig []byte
	for _, f := range sm.Files {
		if f.Name == "prepare.json" {
			prepareConfig = f.Content
		}
	}
	raw := filepath.Join(root, "/opt/ml/processing/input/raw")
	cfgDir := filepath.Join(root, "/opt/ml/processing/input/config")
	for _, d := range []string{raw, cfgDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("../../testdata/clinc150/intent10.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(raw, "intent10.jsonl"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "prepare.json"), prepareConfig, 0o644); err != nil {
		t.Fatal(err)
	}
	ran := map[string]bool{}
	for _, s := range def.Steps {
		entry := s.Arguments.AppSpecification.ContainerEntrypoint
		if s.Type != "Processing" {
			continue
		}
		// /bin/sh -c "install ... && exec /tmp/slm \"$@\"" slm ARGS...
		if len(entry) < 5 || entry[0] != "/bin/sh" || entry[3] != "slm" {
			t.Fatalf("%s: unexpected entrypoint %q", s.Name, entry)
		}
		var args []string
		for _, a := range entry[4:] {
			args = append(args, mapped(a))
		}
		code, stdout, stderr := runCLI(t, args...)
		switch args[1] {
		case "prepare":
			if code != 0 {
				t.Fatalf("%s: %v exited %d:\n%s%s", s.Name, args, code, stdout, stderr)
			}
			stats := filepath.Join(root, "/opt/ml/processing/output/report/stats.json")
			var st struct {
				InputSHA256 string `json:"input_sha256"`
			}
			b, err := os.ReadFile(stats)
			if err != nil {
				t.Fatalf("%s: the DataStats property file is not where the definition reads it: %v", s.Name, err)
			}
			if err := json.Unmarshal(b, &st); err != nil || len(st.InputSHA256) != 64 {
				t.Errorf("%s: stats.json lacks input_sha256, which the registry step reads: %s", s.Name, b)
			}
			for _, split := range []string{"train", "validation", "test"} {
				if _, err := os.Stat(filepath.Join(root, "/opt/ml/processing/output", split, "data.jsonl")); err != nil {
					t.Errorf("%s: %s split not written: %v", s.Name, split, err)
				}
			}
		case "evaluate":
			// No model here: the point is that every flag is known.
			if code == 0 || strings.Contains(stderr, "unknown flag") || strings.Contains(stderr, "unknown shorthand") {
				t.Errorf("%s: %v: exit %d, %s", s.Name, args, code, stderr)
			}
		}
		ran[args[1]] = true
	}
	if !ran["prepare"] || !ran["evaluate"] {
		t.Fatalf("ran %v; want both prepare and evaluate", ran)
	}
}
