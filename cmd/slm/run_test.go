package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/sagemaker/localrun"
)

// Bad `slm run` input is refused before anything runs, with a message
// that names the flag and says what would be right. (The run itself is
// exercised end to end by make train-smoke, and the executor's semantics
// by backends/sagemaker/localrun's tests.)
func TestRunRefusesBadInput(t *testing.T) {
	const pipeline = "../../examples/clinc150"
	data := filepath.Join("..", "..", "testdata", "clinc150", "intent10.jsonl")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{name: "unknown parameter", args: []string{"--param", "Nope=1"},
			stderr: "--param Nope: the pipeline has no parameter Nope (it has ApprovalStatus, InputDataUri, MinAccuracy)"},
		{name: "parameter of the wrong type", args: []string{"--param", "MinAccuracy=high"}, stderr: "--param MinAccuracy=high: want a number"},
		{name: "parameter outside its enum", args: []string{"--param", "ApprovalStatus=Maybe"},
			stderr: "parameter ApprovalStatus=Maybe: want one of Approved, PendingManualApproval"},
		{name: "parameter without a value", args: []string{"--param", "MinAccuracy"}, stderr: `--param "MinAccuracy": want NAME=VALUE`},
		{name: "unknown dataset", args: []string{"--data", "tickets=" + data},
			stderr: "--data tickets=" + data + ": the pipeline has no dataset tickets (it has intents)"},
		{name: "missing data", args: []string{"--data", "intents=/nonexistent/rows.jsonl"}, stderr: "--data intents=/nonexistent/rows.jsonl: stat /nonexistent/rows.jsonl: no such file or directory"},
		{name: "hub model that is not a folder", args: []string{"--hub-model", "org/m=" + data}, stderr: "--hub-model org/m=" + data + ": not a model folder"},
		{name: "configuration error", args: []string{"--var", "epochs=many"}, stderr: "epochs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := append([]string{"run", pipeline, "--var-file", pipeline + "/envs/smoke.slmvars.hcl", "--out", out}, runCode(t)...)
			code, stdout, stderr := runCLI(t, append(args, tt.args...)...)
			if code != 1 || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q (stdout %q)", code, stderr, tt.stderr, stdout)
			}
			if _, err := os.Stat(filepath.Join(out, "executions")); err == nil {
				t.Error("an execution started")
			}
		})
	}
}

// runCode is stepCode for run, which reads no AWS (it has no --offline).
func runCode(t *testing.T) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--runner", exe, "--ort-lib", exe}
}

// The terminal view turns the training code's plan line and metric events
// into epoch, step and time left; gate verdicts show the measured values.
func TestRunViewProgress(t *testing.T) {
	var out strings.Builder
	v := newRunView(&out, false)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	no := false
	v.event(localrun.Event{Event: "step_log", Step: "FineTune-intent", StepType: "Training", Message: "slm_train: training 300 steps, 100 per epoch"})
	clock = clock.Add(50 * time.Second)
	v.event(localrun.Event{Event: "step_metric", Step: "FineTune-intent", StepType: "Training", Metric: &localrun.Metric{Name: "train_loss", Value: 0.5, Step: 50}})
	v.event(localrun.Event{Event: "condition_evaluated", Step: "Gate-quality", Outcome: &no, Conditions: []localrun.ConditionResult{
		{Type: "GreaterThanOrEqualTo", What: "accuracy", Left: 0.8, Right: 0.9, Outcome: false},
		{Type: "Not", Outcome: true, Nested: []localrun.ConditionResult{{Type: "Equals", Left: "a", Right: "b", Outcome: false}}},
	}})
	want := "" +
		"  FineTune-intent | slm_train: training 300 steps, 100 per epoch\n" +
		"  FineTune-intent | epoch 0.50, step 50/300, eta 4m10s: train_loss=0.5\n" +
		"Gate-quality: false: the else branch runs\n" +
		"  accuracy 0.8 >= 0.9 [FAIL]\n" +
		"  Not [ok]\n" +
		"    a == b [FAIL]\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("view (-want +got):\n%s", diff)
	}
}
