package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			args := append([]string{"run", pipeline, "--var-file", pipeline + "/envs/smoke.slmvars.hcl", "--out", out}, stepCode(t)...)
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
