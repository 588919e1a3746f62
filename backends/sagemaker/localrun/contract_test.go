package localrun

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

// The training step's command line, built from the example's generated
// definition as the HF container's toolkit builds it, is parsed by the real
// training code's parser (slm_train.config, standard library only) into the
// hyperparameters the HCL says: the contract between the SageMaker backend,
// this executor and the training code, checked end to end.
func TestExampleHyperparametersReachTheTrainingCode(t *testing.T) {
	res := compiler.Load(context.Background(), compiler.Request{
		FS: os.DirFS("../../../examples/clinc150"), Dir: ".",
		Vars: lang.VarInputs{VarFiles: []string{"envs/smoke.slmvars.hcl"}},
	})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	sm, err := sagemaker.Generate(res.Pipeline, sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: []byte("t")})
	if err != nil {
		t.Fatal(err)
	}
	def, unsupported, err := ParseDefinition(sm.Definition)
	if err != nil {
		t.Fatal(err)
	}
	if err := check(def, unsupported); err != nil {
		t.Fatalf("the example's definition does not run locally: %v", err)
	}
	train := def.Step("FineTune-intent")
	hps := map[string]string{}
	for k, v := range train.Arguments["HyperParameters"].(map[string]any) {
		hps[k] = str(v)
	}
	args, _, err := toolkitArgs(hps)
	if err != nil {
		t.Fatal(err)
	}
	script := `import dataclasses, json, sys
from slm_train.config import parse
cfg = parse(sys.argv[1:], {"SM_CHANNEL_TRAIN": "/t", "SM_CHANNEL_VALIDATION": "/v", "SM_MODEL_DIR": "/m", "SM_OUTPUT_DATA_DIR": "/o"})
print(json.dumps(dataclasses.asdict(cfg.hp)))`
	cmd := exec.Command("python3", append([]string{"-c", script}, args...)...)
	src, _ := filepath.Abs("../../../stdlib/python")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+src)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("slm_train refused %v: %v\n%s", args, err, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"model_name_or_path": "sentence-transformers/all-MiniLM-L6-v2", "model_revision": "c9745ed1d9f207416be6d2e6f8de32d1f16199bf",
		"method": "lora", "lora_r": 16.0, "lora_alpha": 32.0, "lora_dropout": 0.1,
		"lora_target_modules": []any{"query", "key", "value", "dense"}, "pooling": "mean", "epochs": 1.0,
		"learning_rate": 0.001, "per_device_train_batch_size": 32.0, "per_device_eval_batch_size": 128.0,
		"warmup_ratio": 0.06, "weight_decay": 0.01, "max_seq_length": 32.0, "seed": 42.0, "out_of_scope_label": "oos",
		"quantize_int8": true, "oos_max_in_scope_drop": 0.005,
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			delete(got, k) // run-only extensions the definition does not set
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hyperparameters the training code sees (-want +got):\n%s", diff)
	}
}
