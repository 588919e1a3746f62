package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr(s string) *string { return &s }

const baseDef = `{
  "Version": "2020-12-01",
  "Parameters": [
    {"Name": "MinAccuracy", "Type": "Float", "DefaultValue": 0.85},
    {"Name": "Approval", "Type": "String", "DefaultValue": "Approved"}
  ],
  "Steps": [
    {"Name": "Train", "Type": "Training", "Arguments": {
      "HyperParameters": {"epochs": "3", "lora": "{\"r\": 8, \"alpha\": 16}"},
      "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1}
    }, "RetryPolicies": [{"ExceptionType": ["Step.SERVICE_FAULT"], "MaxAttempts": 3}]},
    {"Name": "Gate", "Type": "Condition", "DependsOn": ["Train"], "Arguments": {
      "Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": 0.9, "RightValue": {"Get": "Parameters.MinAccuracy"}}],
      "IfSteps": [{"Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelApprovalStatus": "Approved"}}],
      "ElseSteps": [{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "too low"}}]
    }}
  ]
}`

// TestDiffDefinitions covers what a reviewer needs to see: fields by path,
// list items by Name, hyperparameters decoded (also JSON inside them),
// steps nested in a Condition's branches diffed as steps, added and removed
// steps whole, unchanged things absent.
func TestDiffDefinitions(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []Change
	}{
		{name: "identical", edit: func(s string) string { return s }, want: nil},
		{name: "a hyperparameter", edit: func(s string) string { return strings.Replace(s, `"epochs": "3"`, `"epochs": "4"`, 1) },
			want: []Change{{Action: Update, Step: "Train", Path: "Arguments.HyperParameters.epochs", Old: ptr("3"), New: ptr("4")}}},
		{name: "JSON inside a hyperparameter", edit: func(s string) string { return strings.Replace(s, `\"r\": 8`, `\"r\": 16`, 1) },
			want: []Change{{Action: Update, Step: "Train", Path: "Arguments.HyperParameters.lora.r", Old: ptr("8"), New: ptr("16")}}},
		{name: "a parameter default, by Name", edit: func(s string) string { return strings.Replace(s, `"DefaultValue": 0.85`, `"DefaultValue": 0.9`, 1) },
			want: []Change{{Action: Update, Path: "Parameters[MinAccuracy].DefaultValue", Old: ptr("0.85"), New: ptr("0.9")}}},
		{name: "instance type and retry", edit: func(s string) string {
			return strings.Replace(strings.Replace(s, "ml.g5.xlarge", "ml.g5.2xlarge", 1), `"MaxAttempts": 3`, `"MaxAttempts": 5`, 1)
		},
			want: []Change{
				{Action: Update, Step: "Train", Path: "Arguments.ResourceConfig.InstanceType", Old: ptr(`"ml.g5.xlarge"`), New: ptr(`"ml.g5.2xlarge"`)},
				{Action: Update, Step: "Train", Path: "RetryPolicies[0].MaxAttempts", Old: ptr("3"), New: ptr("5")},
			}},
		{name: "a nested step", edit: func(s string) string { return strings.Replace(s, `"too low"`, `"below the bar"`, 1) },
			want: []Change{{Action: Update, Step: "Fail", Path: "Arguments.ErrorMessage", Old: ptr(`"too low"`), New: ptr(`"below the bar"`)}}},
		{name: "a step removed", edit: func(s string) string {
			return strings.Replace(s, `"ElseSteps": [{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "too low"}}]`, `"ElseSteps": []`, 1)
		},
			want: []Change{
				{Action: Update, Step: "Gate", Path: "Arguments.ElseSteps", Old: ptr("Fail"), New: ptr("")},
				{Action: Delete, Step: "Fail"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DiffDefinitions([]byte(baseDef), []byte(tt.edit(baseDef)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
	// Added: the reverse of removed.
	removed := strings.Replace(baseDef, `"ElseSteps": [{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "too low"}}]`, `"ElseSteps": []`, 1)
	got, err := DiffDefinitions([]byte(removed), []byte(baseDef))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Action: Update, Step: "Gate", Path: "Arguments.ElseSteps", Old: ptr(""), New: ptr("Fail")}, {Action: Create, Step: "Fail"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("added step (-want +got):\n%s", diff)
	}
	if _, err := DiffDefinitions([]byte("{not json"), []byte(baseDef)); err == nil {
		t.Error("a broken deployed definition gave no error")
	}
}

// TestCompare sets the actions from values: nothing deployed, the same,
// changed, and an object under a content-addressed key with other bytes.
func TestCompare(t *testing.T) {
	newPlan := func() *Plan {
		return &Plan{
			Target:  PipelineTarget{Name: "p", RoleARN: "arn:role"},
			Steps:   []Step{{Name: "Train"}, {Name: "Gate"}, {Name: "Register"}, {Name: "Fail"}},
			Uploads: []Upload{{}, {}},
		}
	}
	up := func(p *Plan) {
		p.Uploads[0].URI, p.Uploads[0].SHA256 = "s3://b/code/aa/x", "aa"
		p.Uploads[1].URI, p.Uploads[1].SHA256 = "s3://b/code/bb/y", "bb"
	}
	def := []byte(baseDef)
	changed := []byte(strings.Replace(baseDef, `"epochs": "3"`, `"epochs": "4"`, 1))
	tests := []struct {
		name     string
		deployed Deployed
		target   Action
		steps    []Action
		uploads  []Action
		summary  string
	}{
		{name: "offline", deployed: Deployed{Offline: true}, target: Create, steps: []Action{Create, Create, Create, Create}, uploads: []Action{Create, Create}, summary: "Plan: 3 to add, 0 to change, 0 to destroy."},
		{name: "empty account", deployed: Deployed{Account: "1"}, target: Create, steps: []Action{Create, Create, Create, Create}, uploads: []Action{Create, Create}, summary: "Plan: 3 to add, 0 to change, 0 to destroy."},
		{name: "all there", deployed: Deployed{Account: "1", Pipeline: &DeployedPipeline{Definition: def, RoleARN: "arn:role"}, Objects: map[string]DeployedObject{"s3://b/code/aa/x": {SHA256: "aa"}, "s3://b/code/bb/y": {}}},
			target: NoOp, steps: []Action{NoOp, NoOp, NoOp, NoOp}, uploads: []Action{NoOp, NoOp}, summary: "No changes. What is deployed matches the configuration."},
		{name: "changed, and an object with other bytes", deployed: Deployed{Account: "1", Pipeline: &DeployedPipeline{Definition: changed, RoleARN: "arn:role"}, Objects: map[string]DeployedObject{"s3://b/code/aa/x": {SHA256: "ff"}}},
			target: Update, steps: []Action{Update, NoOp, NoOp, NoOp}, uploads: []Action{Replace, Create}, summary: "Plan: 2 to add, 1 to change, 1 to destroy."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPlan()
			up(p)
			if err := Compare(p, def, tt.deployed); err != nil {
				t.Fatal(err)
			}
			if p.Target.Action != tt.target {
				t.Errorf("pipeline action %s, want %s", p.Target.Action, tt.target)
			}
			var steps, uploads []Action
			for _, s := range p.Steps {
				steps = append(steps, s.Action)
			}
			for _, u := range p.Uploads {
				uploads = append(uploads, u.Action)
			}
			if diff := cmp.Diff(tt.steps, steps); diff != "" {
				t.Errorf("step actions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.uploads, uploads); diff != "" {
				t.Errorf("upload actions (-want +got):\n%s", diff)
			}
			if got := Summary(p); got != tt.summary {
				t.Errorf("summary %q, want %q", got, tt.summary)
			}
			if !tt.deployed.Offline && len(p.State.Reads) != 3 {
				t.Errorf("reads %v, want the pipeline and two objects", p.State.Reads)
			}
		})
	}
}
