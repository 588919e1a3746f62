package sagemaker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/sagemaker/defcheck"
	"github.com/slm-project/slm/backends/sagemaker/defcheck/defchecktest"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// fixedCode stands in for the step code: its bytes are inputs of the
// definition (through their digests), so fixed bytes keep goldens stable.
var fixedCode = sagemaker.Code{
	Runner:         []byte("slm step runner for tests\n"),
	ORTLibrary:     []byte("onnxruntime for tests\n"),
	TrainingSource: []byte("training source for tests\n"),
}

const exampleDir = "../../examples/intent"

func compileExample(t testing.TB, env string) *ir.Pipeline {
	t.Helper()
	res := compiler.Load(context.Background(), compiler.Request{
		FS:   os.DirFS(exampleDir),
		Dir:  ".",
		Vars: lang.VarInputs{VarFiles: []string{"envs/" + env + ".slmvars.hcl"}},
	})
	if res.Diags.HasErrors() || res.Pipeline == nil {
		var b bytes.Buffer
		_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
		t.Fatalf("compiling the example for %s:\n%s", env, b.String())
	}
	return res.Pipeline
}

// TestGoldenDefinitions compiles the example for each environment, checks
// the definition against the corrected schema and the semantic checks, and
// compares it with the golden file (go test -update rewrites them).
func TestGoldenDefinitions(t *testing.T) {
	checker, err := defcheck.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			res, err := sagemaker.Generate(compileExample(t, env), fixedCode)
			if err != nil {
				t.Fatal(err)
			}
			defchecktest.MustPassWith(t, checker, res.Definition)
			var doc any
			if err := json.Unmarshal(res.Definition, &doc); err != nil {
				t.Fatal(err)
			}
			if empty := emptyStrings(doc, ""); len(empty) > 0 {
				t.Errorf("empty strings in the definition (a value the compiler failed to fill): %v", empty)
			}
			golden := filepath.Join("testdata", "golden", env+".pipeline.json")
			if *update {
				if err := os.WriteFile(golden, res.Definition, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(res.Definition)); diff != "" {
				t.Errorf("definition differs from %s (-want +got); run go test -update if intended:\n%s", golden, diff)
			}
		})
	}
}

// TestEnvironmentsDiffer checks that the per-environment files change what
// they should: instance types, spot, approval default and thresholds.
func TestEnvironmentsDiffer(t *testing.T) {
	defs := map[string]map[string]any{}
	for _, env := range []string{"dev", "prod"} {
		res, err := sagemaker.Generate(compileExample(t, env), fixedCode)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(res.Definition, &d); err != nil {
			t.Fatal(err)
		}
		defs[env] = d
	}
	training := func(d map[string]any) map[string]any {
		for _, s := range d["Steps"].([]any) {
			if s.(map[string]any)["Type"] == "Training" {
				return s.(map[string]any)["Arguments"].(map[string]any)
			}
		}
		t.Fatal("no training step")
		return nil
	}
	dev, prod := training(defs["dev"]), training(defs["prod"])
	if dev["EnableManagedSpotTraining"] != true || prod["EnableManagedSpotTraining"] != nil {
		t.Errorf("spot: dev %v, prod %v; want dev on, prod off", dev["EnableManagedSpotTraining"], prod["EnableManagedSpotTraining"])
	}
	if reflect.DeepEqual(dev["ResourceConfig"], prod["ResourceConfig"]) {
		t.Errorf("dev and prod train on the same resources: %v", dev["ResourceConfig"])
	}
	params := func(d map[string]any) map[string]any {
		out := map[string]any{}
		for _, p := range d["Parameters"].([]any) {
			pm := p.(map[string]any)
			out[pm["Name"].(string)] = pm["DefaultValue"]
		}
		return out
	}
	if got := params(defs["dev"])["ApprovalStatus"]; got != "Approved" {
		t.Errorf("dev approval default = %v, want Approved", got)
	}
	if got := params(defs["prod"])["ApprovalStatus"]; got != "PendingManualApproval" {
		t.Errorf("prod approval default = %v, want PendingManualApproval", got)
	}
	if got := params(defs["prod"])["MinAccuracy"]; got != 0.95 {
		t.Errorf("prod MinAccuracy default = %v, want 0.95", got)
	}
}

// TestDeterministic compiles the example twice from two copies whose files
// were written in opposite orders, and requires identical bytes.
func TestDeterministic(t *testing.T) {
	entries, err := os.ReadDir(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	copyTo := func(reverse bool) string {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "envs"), 0o755); err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, e := range entries {
			if !e.IsDir() {
				names = append(names, e.Name())
			}
		}
		if reverse {
			for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
				names[i], names[j] = names[j], names[i]
			}
		}
		for _, n := range append(names, "envs/dev.slmvars.hcl") {
			b, err := os.ReadFile(filepath.Join(exampleDir, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	var outs [][]byte
	for _, reverse := range []bool{false, true, false} {
		dir := copyTo(reverse)
		res := compiler.Load(context.Background(), compiler.Request{
			FS: os.DirFS(dir), Dir: ".", Vars: lang.VarInputs{VarFiles: []string{"envs/dev.slmvars.hcl"}},
		})
		if res.Diags.HasErrors() {
			t.Fatal(res.Diags.Error())
		}
		sm, err := sagemaker.Generate(res.Pipeline, fixedCode)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, sm.Definition)
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatalf("compile %d differs from compile 0:\n%s", i, cmp.Diff(string(outs[0]), string(outs[i])))
		}
	}
}

// TestNoAccountNoDefinition: without an account the execution role ARN is
// unknown, and the backend says so instead of emitting a placeholder.
func TestNoAccountNoDefinition(t *testing.T) {
	p := compileExample(t, "dev")
	p.Project.ExecutionRoleARN = ""
	if _, err := sagemaker.Generate(p, fixedCode); err == nil {
		t.Fatal("Generate succeeded without an execution role ARN")
	}
}

// emptyStrings lists the JSON paths holding "": the schema accepts them in
// many places where SageMaker would not (an image URI, a role).
func emptyStrings(v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case string:
		// Std:Join's separator is legitimately empty.
		if x == "" && !strings.HasSuffix(path, "/Std:Join/On") {
			out = append(out, path)
		}
	case map[string]any:
		for k, e := range x {
			out = append(out, emptyStrings(e, path+"/"+k)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, emptyStrings(e, fmt.Sprintf("%s/%d", path, i))...)
		}
	}
	return out
}
