package defcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sdkDir = "../../../testdata/sagemaker/sdk-expected"

func readSDK(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(sdkDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func newChecker(t testing.TB) *Checker {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// placeholderArguments are the SDK test fixtures whose Training steps carry a fake argument
// (`input_data`, the SDK's CustomStep stand-in) instead of CreateTrainingJob fields: the SDK tests
// compare structure, not service validity. Check must refuse exactly those arguments and nothing
// else; with the fake arguments emptied, the definitions pass.
var placeholderArguments = map[string][]Problem{
	"pipeline_disable_experiment_config.definition.json": {
		{"/Steps/0/Arguments", "property 'input_data' is not allowed here"},
	},
	"pipeline_two_step.definition.json": {
		{"/Steps/0/Arguments", "property 'input_data' is not allowed here"},
		{"/Steps/1/Arguments", "property 'input_data' is not allowed here"},
	},
}

func TestSDKDefinitions(t *testing.T) {
	c := newChecker(t)
	files, err := filepath.Glob(filepath.Join(sdkDir, "*.definition.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 6 {
		t.Fatalf("expected the 6 SDK definitions in %s, found %d", sdkDir, len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw := readSDK(t, name)
			got := c.Check(raw)
			want, excluded := placeholderArguments[name]
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %q\nwant %q", got, want)
			}
			if !excluded {
				return
			}
			// Without the placeholder arguments everything else in the file must pass, the
			// PipelineExperimentConfig and Steps references included.
			if got := c.Check(emptyTrainingArguments(t, raw)); got != nil {
				t.Fatalf("with placeholder arguments removed: %q", got)
			}
		})
	}
}

func emptyTrainingArguments(t *testing.T, raw []byte) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc["Steps"].([]any) {
		st := s.(map[string]any)
		if st["Type"] == "Training" {
			st["Arguments"] = map[string]any{}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSDKSteps wraps each single SDK step into the smallest definition that gives its references
// something to resolve to: the parameters it reads, and stand-in steps (Training with empty
// arguments, as the SDK's own fixtures use) for the steps it depends on.
func TestSDKSteps(t *testing.T) {
	c := newChecker(t)
	cases := []struct {
		file   string
		params string
		// wrap places the step (%s) among the other steps.
		wrap string
		want []Problem
	}{
		{
			file: "fail_step_join.step.json",
			// The step reads Steps.CondStep.Outcome: it is the else branch of that condition.
			wrap: `{"Name": "CondStep", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}], "ElseSteps": [%s]}}`,
		},
		{
			file:   "processing_step_cache_propertyfiles.step.json",
			params: `{"Name": "ProcessingInputDataUri", "Type": "String"}, {"Name": "InstanceCount", "Type": "Integer"}, {"Name": "InstanceType", "Type": "String"}`,
			wrap:   `%s, ` + strings.Join([]string{standInStep("TestStep"), standInStep("SecondTestStep"), standInStep("ThirdTestStep")}, ", "),
			// The SDK fixture declares a property file on output "evaluation" but no outputs at all;
			// the service looks the file up in that output, so the definition is refused here.
			want: []Problem{{"/Steps/0/PropertyFiles/0/OutputName",
				`property file "EvaluationReport" reads output "evaluation", but step "MyProcessingStep" has no such output in ProcessingOutputConfig.Outputs`}},
		},
		{
			file: "register_model.step.json",
			wrap: `%s, ` + standInStep("TestStep"),
		},
		{
			file: "retry_policies.step.json",
			wrap: `%s`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			stepJSON := strings.TrimSpace(string(readSDK(t, tc.file)))
			def := `{"Version": "2020-12-01", "Metadata": {}, "Parameters": [` + tc.params + `], "Steps": [` +
				strings.Replace(tc.wrap, "%s", stepJSON, 1) + `]}`
			if got := c.Check([]byte(def)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %q\nwant %q\ndefinition: %s", got, tc.want, def)
			}
		})
	}
}

func standInStep(name string) string {
	return `{"Name": "` + name + `", "Type": "Training", "Arguments": {}}`
}
