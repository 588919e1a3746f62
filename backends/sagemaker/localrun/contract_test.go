package localrun

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
	"github.com/slm-project/slm/stdlib/python"
)

// The training step's command line, built from the example's generated
// definition as the HF container's toolkit builds it, is parsed by the real
// training code's parser (slm_train.config, standard library only) into the
// hyperparameters the HCL says: the contract between the SageMaker backend,
// this executor and the training code, checked end to end.
func TestExampleHyperparametersReachTheTrainingCode(t *testing.T) {
	def := exampleDefinition(t)
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

// exampleDefinition is examples/clinc150's definition (smoke var file), as
// the executor parses it, with the real training code as its source.
func exampleDefinition(t *testing.T) *Definition {
	t.Helper()
	def, _ := exampleDefinitionAndFiles(t)
	return def
}

func exampleDefinitionAndFiles(t *testing.T) (*Definition, map[string][]byte) {
	t.Helper()
	res := compiler.Load(context.Background(), compiler.Request{
		FS: os.DirFS("../../../examples/clinc150"), Dir: ".",
		Vars: lang.VarInputs{VarFiles: []string{"envs/smoke.slmvars.hcl"}},
	})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	src, err := python.SourceDir()
	if err != nil {
		t.Fatal(err)
	}
	sm, err := sagemaker.Generate(res.Pipeline, sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: src})
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
	files := map[string][]byte{}
	for uri, f := range sm.Files {
		files[uri] = f.Content
	}
	return def, files
}

// QLoRA off CUDA: the training step fails with the training code's own
// message (the executor hides CUDA devices unless --gpu).
func TestQLoRARefusedOnCPU(t *testing.T) {
	venv, err := filepath.Abs("../../../.venv/bin/python")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(venv); err != nil {
		t.Fatalf("the project's Python environment is missing (make setup-python): %v", err)
	}
	def, files := exampleDefinitionAndFiles(t)
	train := def.Step("FineTune-intent")
	args := train.Arguments
	args["HyperParameters"].(map[string]any)["method"] = `"qlora"`
	for _, ch := range asList(args["InputDataConfig"]) {
		s3 := ch.(map[string]any)["DataSource"].(map[string]any)["S3DataSource"].(map[string]any)
		s3["S3Uri"] = "s3://data/" + str(ch.(map[string]any)["ChannelName"]) + "/"
	}
	step := map[string]any{"Name": train.Name, "Type": "Training", "Arguments": args}
	b, err := json.Marshal(map[string]any{"Version": "2020-12-01", "Parameters": []any{}, "Steps": []any{step}})
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(data, []byte(`{"text": "hi", "label": "greet"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _ := run(t, Options{Definition: b, Files: files, Python: venv,
		Data: map[string]string{"s3://data/train/": data, "s3://data/validation/": data}})
	want := "method=qlora needs a CUDA GPU (bitsandbytes 4-bit NF4 kernels): none is visible here"
	if res.Status != "Failed" || !strings.Contains(res.FailureReason, want) || !strings.Contains(res.FailureReason, "exit status 2") {
		t.Fatalf("status %s, reason %q; want exit 2 with %q", res.Status, res.FailureReason, want)
	}
}
