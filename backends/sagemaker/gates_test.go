package sagemaker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

// edgeGateConfig: the registration lists gate.quality, its edge target adds
// gate.latency of its own.
const edgeGateConfig = `
project "t" {
  environment      = "test"
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.artifacts
}
storage "data" {
  bucket = "t-data-bucket"
}
storage "artifacts" {
  bucket = "t-artifacts-bucket"
}
storage "edge" {
  bucket = "t-edge-bucket"
}
dataset "d" {
  source = "s3://t-data-bucket/raw/"
  format = "jsonl"
}
prepare "p" {
  dataset = dataset.d
  output  = storage.data
}
finetune "f" {
  data   = prepare.p
  output = storage.artifacts
  method = "lora"
  base_model {
    s3_uri = "s3://t-artifacts-bucket/base/"
  }
  lora {
    r              = 8
    alpha          = 16
    target_modules = ["query"]
  }
  compute {
    instance_type = "ml.g5.xlarge"
  }
}
evaluate "e" {
  model = finetune.f
  data  = prepare.p
}
gate "quality" {
  evaluation = evaluate.e
  threshold "accuracy" {
    min = 0.9
  }
}
gate "latency" {
  evaluation = evaluate.e
  threshold "latency_p95_ms" {
    max = 20
  }
}
register "r" {
  model               = finetune.f
  evaluation          = evaluate.e
  gates               = [gate.quality]
  model_package_group = "t-models"
  approval            = "Approved"
}
edge_target "fleet" {
  model          = register.r
  gates          = [gate.latency]
  thing_group    = "t-fleet"
  platforms      = ["linux/amd64"]
  component_name = "com.example.T"
  storage        = storage.edge
}
`

// TestEdgeGatesGuardTheRelease: an edge target's own gates are enforced in
// the definition (the registration sits in their passing branch, so nothing
// that fails them is registered or shipped) and recorded on the package.
// Before, gate.latency compiled to a top-level Condition with empty IfSteps.
func TestEdgeGatesGuardTheRelease(t *testing.T) {
	res := compiler.Load(context.Background(), compiler.Request{FS: fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(edgeGateConfig)}}, Dir: "cfg"})
	if res.Diags.HasErrors() {
		var b bytes.Buffer
		_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
		t.Fatal(b.String())
	}
	out, err := sagemaker.Generate(res.Pipeline, fixedCode)
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		Steps []map[string]any
	}
	if err := json.Unmarshal(out.Definition, &def); err != nil {
		t.Fatal(err)
	}
	var top []string
	var latency map[string]any
	for _, s := range def.Steps {
		top = append(top, s["Name"].(string))
		if s["Name"] == "Gate-latency" {
			latency = s
		}
	}
	if latency == nil {
		t.Fatalf("top-level steps %v: want Gate-latency first in the chain", top)
	}
	// Gate-latency -> Gate-quality -> Register-r (chains run in name order).
	ifs := latency["Arguments"].(map[string]any)["IfSteps"].([]any)
	if len(ifs) != 1 || ifs[0].(map[string]any)["Name"] != "Gate-quality" {
		t.Fatalf("Gate-latency IfSteps = %v, want [Gate-quality]", ifs)
	}
	quality := ifs[0].(map[string]any)
	inner := quality["Arguments"].(map[string]any)["IfSteps"].([]any)
	if len(inner) != 1 || inner[0].(map[string]any)["Name"] != "Register-r" {
		t.Fatalf("Gate-quality IfSteps = %v, want [Register-r]", inner)
	}
	meta := inner[0].(map[string]any)["Arguments"].(map[string]any)["CustomerMetadataProperties"].(map[string]any)
	if meta["slm:gates"] != "latency,quality" {
		t.Errorf("slm:gates = %v, want latency,quality", meta["slm:gates"])
	}
	if got := res.Pipeline.EdgeTargets[0].Guards; len(got) != 2 {
		t.Errorf("edge target guards = %v, want both gates", got)
	}
}

// TestDistributedTraining: a LoRA job on 2 x ml.g5.12xlarge (4 GPUs each)
// runs 8 torchrun processes through the container's torch_distributed
// launcher; one GPU on one instance stays a plain job. Before, two hosts got
// no distribution settings and ran independent copies.
func TestDistributedTraining(t *testing.T) {
	for _, tt := range []struct {
		compute   string
		processes int
	}{
		{"instance_type = \"ml.g5.12xlarge\"\n    instance_count = 2", 8},
		{"instance_type = \"ml.g5.xlarge\"", 1},
	} {
		src := strings.Replace(edgeGateConfig, `instance_type = "ml.g5.xlarge"`, tt.compute, 1)
		res := compiler.Load(context.Background(), compiler.Request{FS: fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(src)}}, Dir: "cfg"})
		if res.Diags.HasErrors() {
			t.Fatal(res.Diags.Error())
		}
		if got := res.Pipeline.FineTunes[0].Processes; got != tt.processes {
			t.Errorf("%s: %d processes, want %d", tt.compute, got, tt.processes)
		}
		out, err := sagemaker.Generate(res.Pipeline, fixedCode)
		if err != nil {
			t.Fatal(err)
		}
		enabled := strings.Contains(string(out.Definition), `"sagemaker_torch_distributed_enabled": "true"`)
		if enabled != (tt.processes > 1) {
			t.Errorf("%s: torch_distributed enabled = %t, want %t", tt.compute, enabled, tt.processes > 1)
		}
	}
}
