// Package exampleir compiles the bundled example (examples/intent) for one environment with the real
// compiler, so the infrastructure backends' tests run on the IR the compiler actually produces.
package exampleir

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// Environments are the example's environments, each with envs/<name>.slmvars.hcl.
var Environments = []string{"dev", "staging", "prod"}

// RepoRoot is the repository root, found from this file's location.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("exampleir: cannot locate the repository root")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Compile compiles examples/intent with envs/<env>.slmvars.hcl and fails the test on any error.
func Compile(t testing.TB, env string) *ir.Pipeline {
	t.Helper()
	root := RepoRoot(t)
	res := compiler.Load(context.Background(), compiler.Request{
		FS:   os.DirFS(root),
		Dir:  "examples/intent",
		Vars: lang.VarInputs{VarFiles: []string{"examples/intent/envs/" + env + ".slmvars.hcl"}},
	})
	if res.Diags.HasErrors() || res.Pipeline == nil {
		t.Fatalf("compiling examples/intent for %s: %s", env, res.Diags.Error())
	}
	return res.Pipeline
}
