package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/artifact"
)

// TestWriteText keeps the expected rendering inline: legend only for the
// actions present, provenance, steps with details, gates, uploads,
// resources grouped by kind, and the summary line.
func TestWriteText(t *testing.T) {
	p := &Plan{
		FormatVersion: FormatVersion, Pipeline: "intent-dev", Environment: "dev", Region: "eu-west-1", Account: "111111111111",
		ConfigSHA256: "abc",
		State:        State{Offline: true},
		Target:       PipelineTarget{Action: Create, Name: "intent-dev"},
		Variables: []Variable{
			{Name: "alert_emails", Value: `["ml-platform@example.com", "oncall-intent-team@example.com"]`, Source: "var file envs/dev.slmvars.hcl:2"},
			{Name: "epochs", Value: "3", Source: "var file envs/dev.slmvars.hcl:6", Overrode: []string{"default variables.slm.hcl:45"}},
			{Name: "env", Value: `"dev"`, Source: "var file envs/dev.slmvars.hcl:1"},
		},
		ReadAccess: []string{"s3://shared-datasets/intents/"},
		Parameters: []Parameter{{Name: "MinAccuracy", Type: "Float", Default: "0.85"}},
		Steps: []Step{
			{Action: Create, Name: "Prepare-intents", Type: "Processing", Block: "prepare.intents", Details: []string{"ml.m5.large x1"}},
			{Action: Create, Name: "Gate-quality", Type: "Condition", Block: "gate.quality", DependsOn: []string{"Prepare-intents"}},
		},
		Gates:   []Gate{{Name: "quality", Step: "Gate-quality", Evaluation: "intent", Thresholds: []string{"accuracy >= param.min_accuracy"}, Guards: []string{"register.intent"}}},
		Uploads: []Upload{{Action: Create, Upload: artifact.Upload{Role: "prepare configuration", Name: "prepare.json", SHA256: "ff", Size: 2048, URI: "s3://b/code/ff/prepare.json"}}},
		Resources: []Resource{
			{Action: Create, Kind: "terraform", Type: "aws_s3_bucket", Name: "edge", Address: "aws_s3_bucket.edge", Details: []string{"encryption: SSE-S3"}},
			{Action: Read, Kind: "terraform", Type: "aws_region", Name: "current", Address: "data.aws_region.current"},
		},
		Notes: []string{"Greengrass is not planned."},
	}
	var b strings.Builder
	if err := WriteText(&b, p); err != nil {
		t.Fatal(err)
	}
	want := `Pipeline intent-dev (environment dev, region eu-west-1, account 111111111111)
Configuration sha256 abc
Offline: AWS was not read (--offline), so every item shows as a create against nothing.

Actions are shown with these symbols:
  +   create
  <=  read

Variables (compile time):
  alert_emails = ["ml-platform@example.com", "oncall-intent-team@example.com"]
                                                           from var file envs/dev.slmvars.hcl:2
  epochs       = 3                                         from var file envs/dev.slmvars.hcl:6 (overrides default variables.slm.hcl:45)
  env          = "dev"                                     from var file envs/dev.slmvars.hcl:1

Pipeline parameters (resolved by SageMaker at run time):
  MinAccuracy (Float) default 0.85

SageMaker pipeline "intent-dev", 2 steps in run order:
  + Prepare-intents (Processing, from prepare.intents)
      ml.m5.large x1
  + Gate-quality (Condition, from gate.quality)
      after Prepare-intents

Quality gates:
  gate.quality reads evaluate.intent; guards register.intent
      accuracy >= param.min_accuracy

Read access granted outside the pipeline's storage (project read_access):
  s3://shared-datasets/intents/ (read only)

Uploads (content-addressed):
  + s3://b/code/ff/prepare.json
      prepare configuration, 2.0 KiB, sha256 ff

Terraform resources (the estate: applied by terraform in your workflow, not by slm apply):
  + aws_s3_bucket.edge
      encryption: SSE-S3
  <= data.aws_region.current

Notes:
  - Greengrass is not planned.

Plan: 2 to add, 0 to change, 0 to destroy.
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text plan (-want +got):\n%s", diff)
	}
}
