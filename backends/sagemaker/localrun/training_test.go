package localrun

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// trainPy stands in for the training code: it follows the SageMaker
// contract (SM_CHANNEL_TRAIN, SM_MODEL_DIR, SM_OUTPUT_DATA_DIR, --name
// value hyperparameters) and checkpoints every step, resuming from the
// last one as slm_train does.
const trainPy = `import argparse, json, os, pathlib, time
p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, required=True)
p.add_argument("--method", required=True)
p.add_argument("--quantize", required=True)
a = p.parse_args()
ck = pathlib.Path(os.environ["SLM_CHECKPOINT_DIR"])
start = int((ck / "step").read_text()) if (ck / "step").exists() else 0
if start:
    print(f"resumed at step {start}", flush=True)
data = (pathlib.Path(os.environ["SM_CHANNEL_TRAIN"]) / "data.txt").read_text()
for s in range(start + 1, a.steps + 1):
    (ck / "step").write_text(str(s))
    print(f"slm_metric name=loss value={1.0 / s:.4f} step={s}", flush=True)
    time.sleep(float(os.environ["STEP_SLEEP"]))
model = pathlib.Path(os.environ["SM_MODEL_DIR"])
(model / "model.txt").write_text(f"{data}{a.method} {a.quantize} {a.steps}\n")
(pathlib.Path(os.environ["SM_OUTPUT_DATA_DIR"]) / "resumed.json").write_text(json.dumps({"from": start}))
`

func trainingDefinition(t *testing.T) ([]byte, map[string][]byte) {
	train := obj{"Name": "Train", "Type": "Training", "Arguments": obj{
		"AlgorithmSpecification": obj{"TrainingImage": "hf", "TrainingInputMode": "File", "MetricDefinitions": []any{
			obj{"Name": "loss", "Regex": "slm_metric name=loss value=([-+0-9.eE]+)"}}},
		"HyperParameters": obj{"steps": "6", "method": `"lora"`, "quantize": "true",
			"sagemaker_program": `"train.py"`, "sagemaker_submit_directory": `"s3://code-bucket/code/src/sourcedir.tar.gz"`},
		"InputDataConfig": []any{obj{"ChannelName": "train", "DataSource": obj{"S3DataSource": obj{
			"S3Uri": "s3://data/train/", "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}}},
		"OutputDataConfig":  obj{"S3OutputPath": join("s3://models/", get("Execution.PipelineExecutionId"), "/train")},
		"CheckpointConfig":  obj{"S3Uri": "s3://models/checkpoints/", "LocalPath": "/opt/ml/checkpoints"},
		"ResourceConfig":    obj{"InstanceCount": 1, "InstanceType": "ml.g5.xlarge", "VolumeSizeInGB": 10},
		"StoppingCondition": obj{"MaxRuntimeInSeconds": 600},
		"Environment":       obj{"STEP_SLEEP": "0.2"},
		"RoleArn":           "arn:aws:iam::1:role/r",
	}}
	script := `tar -xzOf "$IN/model/model.tar.gz" model.txt > "$OUT/r/value"; echo "$LOSS" >> "$OUT/r/value"`
	use := processing("Use", map[string]any{"model": get("Steps.Train.ModelArtifacts.S3ModelArtifacts")}, "r")
	use["Arguments"].(obj)["Environment"] = obj{"OUT": "/opt/ml/processing/output", "IN": "/opt/ml/processing/input",
		"LOSS": join(get("Steps.Train.FinalMetricDataList['loss'].Value"))}
	files := scripts(map[string]string{"Use": script})
	files["s3://code-bucket/code/src/sourcedir.tar.gz"] = tarGz(t, map[string]string{"train.py": trainPy})
	return definition(nil, train, use), files
}

func TestTrainingContractAndResume(t *testing.T) {
	def, files := trainingDefinition(t)
	data := filepath.Join(t.TempDir(), "data.txt")
	if err := os.WriteFile(data, []byte("rows\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	opts := Options{Definition: def, Files: files, Out: out, Python: "python3", PipelineName: "p",
		Data: map[string]string{"s3://data/train/": data}, Environ: os.Environ()}

	// The first execution is stopped (as Ctrl-C or a spot interruption
	// stops it) once step 3 is reported.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var first []Event
	opts.Events = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		first = append(first, e)
		if e.Event == "step_metric" && e.Metric.Step == 3 {
			cancel()
		}
	}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "Failed" || !strings.Contains(res.FailureReason, "stopped") || res.Steps["Use"] != stateNotExecuted {
		t.Fatalf("stopped run: %+v", res)
	}

	rec := &recorder{}
	opts.Events = rec.add
	res, err = Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "Succeeded" {
		t.Fatalf("resumed run: %s", res.FailureReason)
	}
	metrics := rec.of("step_metric")
	if len(metrics) == 0 || metrics[0].Metric.Step < 4 || metrics[len(metrics)-1].Metric.Step != 6 {
		t.Fatalf("the second run reported steps %v; want it to resume after step 3 and end at 6", metrics)
	}
	if !grepLog(t, res, "Train", "resumed at step") {
		t.Error("the training log does not say it resumed")
	}
	// The model archive holds what the script wrote, with the
	// hyperparameters decoded as the toolkit decodes them; the next step
	// read it and the final metric through Get.
	got := readFile(t, filepath.Join(out, "storage", "out", res.ExecutionID, "Use", "r", "value"))
	if want := "rows\nlora True 6\n0.1667\n"; got != want {
		t.Errorf("the next step saw %q, want %q", got, want)
	}
	tarPath := filepath.Join(out, "storage", "models", res.ExecutionID, "train", "pipelines-"+res.ExecutionID+"-Train", "output", "output.tar.gz")
	if names := tarNames(t, tarPath); len(names) != 1 || names[0] != "resumed.json" {
		t.Errorf("output.tar.gz holds %v", names)
	}
}

func tarNames(t *testing.T, p string) []string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		out = append(out, h.Name)
	}
	return out
}
