package compiler_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

var benchCode = sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: []byte("t")}

func benchCompile(b *testing.B, fsys fstest.MapFS, varFiles []string) {
	b.ReportAllocs()
	steps := 0
	for b.Loop() {
		res := compiler.Load(context.Background(), compiler.Request{FS: fsys, Dir: "cfg", Vars: lang.VarInputs{VarFiles: varFiles}})
		if res.Diags.HasErrors() {
			b.Fatal(res.Diags.Error())
		}
		if _, err := sagemaker.Generate(res.Pipeline, benchCode); err != nil {
			b.Fatal(err)
		}
		steps = len(res.Pipeline.Steps)
	}
	b.ReportMetric(float64(steps), "steps")
}

// BenchmarkCompileExample: load, compile and emit the bundled example.
func BenchmarkCompileExample(b *testing.B) {
	fsys := fstest.MapFS{}
	entries, err := os.ReadDir("../examples/intent")
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile("../examples/intent/" + e.Name())
		if err != nil {
			b.Fatal(err)
		}
		fsys["cfg/"+e.Name()] = &fstest.MapFile{Data: data}
	}
	dev, err := os.ReadFile("../examples/intent/envs/dev.slmvars.hcl")
	if err != nil {
		b.Fatal(err)
	}
	fsys["dev.slmvars.hcl"] = &fstest.MapFile{Data: dev}
	benchCompile(b, fsys, []string{"dev.slmvars.hcl"})
}

// BenchmarkCompile500Steps: a generated pipeline of 84 independent chains
// (prepare, finetune, evaluate, gate with its fail step, register), 504
// steps in all.
func BenchmarkCompile500Steps(b *testing.B) {
	benchCompile(b, fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(generatedPipeline(84))}}, nil)
}

func generatedPipeline(chains int) string {
	var s strings.Builder
	s.WriteString(`project "big" {
  region           = "us-east-1"
  account          = "123456789012"
  artifact_storage = storage.artifacts
}
storage "artifacts" {
  bucket = "big-artifacts-bucket"
}
storage "data" {
  bucket = "big-data-bucket"
  prefix = "raw/"
}
`)
	for i := range chains {
		fmt.Fprintf(&s, `
dataset "d%[1]d" {
  source = "s3://big-data-bucket/raw/%[1]d/"
  format = "jsonl"
}
prepare "p%[1]d" {
  dataset = dataset.d%[1]d
  output  = storage.data
}
finetune "f%[1]d" {
  data   = prepare.p%[1]d
  output = storage.artifacts
  method = "lora"
  base_model {
    hub_id   = "sentence-transformers/all-MiniLM-L6-v2"
    revision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query", "value"]
  }
  compute {
    instance_type = "ml.g5.xlarge"
  }
}
evaluate "e%[1]d" {
  model = finetune.f%[1]d
  data  = prepare.p%[1]d
}
gate "g%[1]d" {
  evaluation = evaluate.e%[1]d
  threshold "accuracy" {
    min = 0.9
  }
}
register "r%[1]d" {
  model               = finetune.f%[1]d
  evaluation          = evaluate.e%[1]d
  gates               = [gate.g%[1]d]
  model_package_group = "big-%[1]d"
  approval            = "Approved"
}
`, i)
	}
	return s.String()
}
