package compiler_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

// FuzzLoad feeds arbitrary configuration and variable files through the
// loader, the compiler and the SageMaker backend, in both validate and plan
// modes, with the example's dev variable file. Bad input must give diagnostics or errors, never a panic.
func FuzzLoad(f *testing.F) {
	var example []byte
	for _, n := range []string{"pipeline.slm.hcl", "variables.slm.hcl", "storage.slm.hcl", "data.slm.hcl", "model.slm.hcl", "edge.slm.hcl"} {
		b, err := os.ReadFile(filepath.Join("../examples/intent", n))
		if err != nil {
			f.Fatal(err)
		}
		example = append(example, b...)
	}
	vars, err := os.ReadFile("../examples/intent/envs/dev.slmvars.hcl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	fixtures, _ := filepath.Glob("testdata/errors/*/*.slm.hcl")
	base, _ := os.ReadFile("testdata/base.slm.hcl")
	for _, fx := range fixtures {
		b, err := os.ReadFile(fx)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append(append([]byte{}, base...), b...))
	}
	code := sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: []byte("t")}
	f.Fuzz(func(t *testing.T, cfg []byte) {
		fsys := fstest.MapFS{
			"cfg/main.slm.hcl": {Data: cfg},
			"vars.slmvars.hcl": {Data: vars},
		}
		ctx := context.Background()
		compiler.Load(ctx, compiler.Request{FS: fsys, Dir: "cfg", Validate: true})
		res := compiler.Load(ctx, compiler.Request{FS: fsys, Dir: "cfg", Vars: lang.VarInputs{VarFiles: []string{"vars.slmvars.hcl"}}})
		if res.Pipeline != nil && !res.Diags.HasErrors() {
			_, _ = sagemaker.Generate(res.Pipeline, code)
		}
		for _, d := range res.Diags {
			_ = lang.RenderDiagnostic(lang.NewJSONDiagnostic(d, res.Files))
		}
	})
}
