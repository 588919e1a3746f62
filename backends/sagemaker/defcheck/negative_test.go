package defcheck

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const intentPipeline = "testdata/intent-pipeline.definition.json"

// edit is one change to the base definition: set the value at a JSON pointer (the parent must
// exist; "-" appends to an array), or delete it when value is "".
type edit struct {
	ptr   string
	value string
}

func applyEdits(t *testing.T, raw []byte, edits []edit) []byte {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		tokens := strings.Split(strings.TrimPrefix(e.ptr, "/"), "/")
		parent := doc
		for _, tok := range tokens[:len(tokens)-1] {
			parent = descend(t, parent, tok, e.ptr)
		}
		last := tokens[len(tokens)-1]
		var value any
		if e.value != "" {
			value = frag(e.value)
		}
		switch p := parent.(type) {
		case map[string]any:
			if e.value == "" {
				delete(p, last)
			} else {
				p[last] = value
			}
		case []any:
			if last != "-" || e.value == "" {
				t.Fatalf("edit %s: only appending with - is supported on arrays", e.ptr)
			}
			// Re-set the grown slice in its parent.
			grown := append(p, value)
			setInParent(t, doc, tokens[:len(tokens)-1], grown)
		default:
			t.Fatalf("edit %s: parent is not a container", e.ptr)
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func descend(t *testing.T, v any, tok, ptr string) any {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		c, ok := x[tok]
		if !ok {
			t.Fatalf("edit %s: no %q", ptr, tok)
		}
		return c
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(x) {
			t.Fatalf("edit %s: bad index %q", ptr, tok)
		}
		return x[i]
	}
	t.Fatalf("edit %s: cannot descend into %T", ptr, v)
	return nil
}

func setInParent(t *testing.T, doc any, tokens []string, value any) {
	t.Helper()
	parent := doc
	for _, tok := range tokens[:len(tokens)-1] {
		parent = descend(t, parent, tok, strings.Join(tokens, "/"))
	}
	last := tokens[len(tokens)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = value
	case []any:
		i, _ := strconv.Atoi(last)
		p[i] = value
	}
}

func TestIntentPipelinePasses(t *testing.T) {
	raw, err := os.ReadFile(intentPipeline)
	if err != nil {
		t.Fatal(err)
	}
	if got := newChecker(t).Check(raw); got != nil {
		t.Fatalf("problems in a valid definition:\n%v", got)
	}
}

// Step pointers in the base definition.
const (
	prepare  = "/Steps/0"
	train    = "/Steps/1"
	evaluate = "/Steps/2"
	gate     = "/Steps/3"
	register = "/Steps/3/Arguments/IfSteps/0"
	compile  = "/Steps/3/Arguments/IfSteps/1"
	failStep = "/Steps/3/Arguments/ElseSteps/0"
)

// TestCheckFindsEachProblem breaks the valid base definition one way per case and expects exactly
// the listed problems.
func TestCheckFindsEachProblem(t *testing.T) {
	base, err := os.ReadFile(intentPipeline)
	if err != nil {
		t.Fatal(err)
	}
	c := newChecker(t)
	cases := []struct {
		name  string
		edits []edit
		want  []Problem
	}{
		// --- schema ---
		{
			name:  "schema: unknown step type (there is no Compilation step in the service)",
			edits: []edit{{train + "/Type", `"Compilation"`}},
			want: []Problem{{train + "/Type",
				"value must be one of 'AutoML', 'Callback', 'ClarifyCheck', 'Condition', 'EMR', 'Endpoint', 'Fail', 'Lambda', 'Model', 'Processing', 'QualityCheck', 'RegisterModel', 'Training', 'Transform', 'Tuning'"}},
		},
		{
			name:  "schema: step name outside SageMaker's pattern",
			edits: []edit{{failStep + "/Name", `"quality gate failed"`}},
			want:  []Problem{{failStep + "/Name", "'quality gate failed' does not match pattern '^[A-Za-z0-9\\\\-_]{1,64}$'"}},
		},
		{
			name:  "schema: step name longer than 64",
			edits: []edit{{failStep + "/Name", `"` + strings.Repeat("a", 65) + `"`}},
			want:  []Problem{{failStep + "/Name", "'" + strings.Repeat("a", 65) + "' does not match pattern '^[A-Za-z0-9\\\\-_]{1,64}$'"}},
		},
		{
			name:  "schema: misspelled argument",
			edits: []edit{{train + "/Arguments/HyperParameter", `{}`}},
			want:  []Problem{{train + "/Arguments", "property 'HyperParameter' is not allowed here"}},
		},
		{
			name:  "schema: expression with an unknown function",
			edits: []edit{{train + "/Arguments/HyperParameters/epochs", `{"Std:Concat": ["3"]}`}},
			want:  []Problem{{train + "/Arguments/HyperParameters/epochs", "property 'Std:Concat' is not allowed here"}},
		},
		{
			name:  "schema: literal of the wrong type",
			edits: []edit{{prepare + "/Arguments/ProcessingResources/ClusterConfig/InstanceCount", `"1"`}},
			want:  []Problem{{prepare + "/Arguments/ProcessingResources/ClusterConfig/InstanceCount", "got string, want integer"}},
		},
		{
			name:  "schema: branch entry that is not a step",
			edits: []edit{{gate + "/Arguments/IfSteps/-", `"Register"`}},
			want:  []Problem{{gate + "/Arguments/IfSteps/2", "got string, want object"}},
		},
		{
			name:  "schema: retry ExceptionType as a string",
			edits: []edit{{train + "/RetryPolicies/0/ExceptionType", `"SageMaker.CAPACITY_ERROR"`}},
			want:  []Problem{{train + "/RetryPolicies/0/ExceptionType", "got string, want array"}},
		},
		// --- names ---
		{
			name:  "duplicate step name across a condition branch",
			edits: []edit{{compile + "/Name", `"Train"`}},
			want: []Problem{{compile + "/Name",
				`step name "Train" is already used by the step at /Steps/1; step names must be unique across the definition, condition branches included`}},
		},
		{
			name:  "duplicate parameter name",
			edits: []edit{{"/Parameters/-", `{"Name": "Method", "Type": "String"}`}},
			want: []Problem{{"/Parameters/4/Name",
				`parameter name "Method" is already used by the parameter at /Parameters/1; parameter names must be unique`}},
		},
		{
			name:  "DependsOn an undefined step",
			edits: []edit{{evaluate + "/DependsOn", `["Prepare", "Tokenize"]`}},
			want:  []Problem{{evaluate + "/DependsOn/1", `DependsOn names step "Tokenize", which the definition does not define`}},
		},
		// --- references ---
		{
			name:  "Get of an undeclared parameter",
			edits: []edit{{train + "/Arguments/HyperParameters/method", `{"Get": "Parameters.Methd"}`}},
			want: []Problem{{train + "/Arguments/HyperParameters/method/Get",
				`Get "Parameters.Methd": the definition declares no parameter "Methd" (declared: InputUri, Method, MinAccuracy, TrainInstanceCount)`}},
		},
		{
			name:  "Get of an unknown execution variable",
			edits: []edit{{train + "/Arguments/HyperParameters/epochs", `{"Get": "Execution.ExecutionId"}`}},
			want: []Problem{{train + "/Arguments/HyperParameters/epochs/Get",
				`Get "Execution.ExecutionId": "ExecutionId" is not an execution variable (use one of CurrentDateTime, PipelineArn, PipelineExecutionArn, PipelineExecutionId, PipelineName, ProcessingJobName, StartDateTime, TrainingJobName)`}},
		},
		{
			name:  "Get of an undefined step",
			edits: []edit{{evaluate + "/Arguments/ProcessingInputs/0/S3Input/S3Uri", `{"Get": "Steps.Training.ModelArtifacts.S3ModelArtifacts"}`}},
			want: []Problem{{evaluate + "/Arguments/ProcessingInputs/0/S3Input/S3Uri/Get",
				`Get "Steps.Training.ModelArtifacts.S3ModelArtifacts": the definition has no step "Training"`}},
		},
		{
			name:  "Get of a step without a property",
			edits: []edit{{evaluate + "/Arguments/ProcessingInputs/0/S3Input/S3Uri", `{"Get": "Steps.Train"}`}},
			want: []Problem{{evaluate + "/Arguments/ProcessingInputs/0/S3Input/S3Uri/Get",
				`Get "Steps.Train": name a property of step "Train", e.g. Steps.Train.<Property>`}},
		},
		{
			name:  "Get with an unknown root",
			edits: []edit{{train + "/Arguments/HyperParameters/epochs", `{"Get": "Pipeline.Name"}`}},
			want: []Problem{{train + "/Arguments/HyperParameters/epochs/Get",
				`Get "Pipeline.Name": a Get must start with Parameters., Execution., Steps. or PipelineExperimentConfig.`}},
		},
		{
			name: "Get of PipelineExperimentConfig when it is null",
			edits: []edit{{"/PipelineExperimentConfig", `null`}, {"/Metadata", ""},
				{train + "/Arguments/HyperParameters/epochs", `{"Get": "PipelineExperimentConfig.TrialName"}`}},
			want: []Problem{{train + "/Arguments/HyperParameters/epochs/Get",
				`Get "PipelineExperimentConfig.TrialName": PipelineExperimentConfig is null (experiments disabled), so it has no value`}},
		},
		{
			name:  "Get of a Processing output the step does not write",
			edits: []edit{{train + "/Arguments/InputDataConfig/1/DataSource/S3DataSource/S3Uri", `{"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs['valid'].S3Output.S3Uri"}`}},
			want: []Problem{{train + "/Arguments/InputDataConfig/1/DataSource/S3DataSource/S3Uri/Get",
				`Get "Steps.Prepare.ProcessingOutputConfig.Outputs['valid'].S3Output.S3Uri": processing step "Prepare" has no output named "valid" in ProcessingOutputConfig.Outputs`}},
		},
		{
			name:  "Get of a Training property that DescribeTrainingJob does not have",
			edits: []edit{{evaluate + "/Arguments/ProcessingInputs/0/S3Input/S3Uri", `{"Get": "Steps.Train.ModelArtifacts.S3Uri"}`}},
			want: []Problem{{evaluate + "/Arguments/ProcessingInputs/0/S3Input/S3Uri/Get",
				`Get "Steps.Train.ModelArtifacts.S3Uri": ModelArtifacts (ModelArtifacts) has no member "S3Uri"`}},
		},
		{
			name:  "Get of a Condition property other than Outcome",
			edits: []edit{{failStep + "/Arguments/ErrorMessage", `{"Get": "Steps.Gate.Result"}`}},
			want:  []Problem{{failStep + "/Arguments/ErrorMessage/Get", `Get "Steps.Gate.Result": a Condition step has one property, Outcome`}},
		},
		{
			name:  "Get of a Lambda output parameter that is not declared",
			edits: []edit{{"/Steps/-", `{"Name": "Publish", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:p", "Arguments": {"uri": {"Get": "Steps.Compile.OutputParameters['compiled']"}}}`}},
			want: []Problem{{"/Steps/4/Arguments/uri/Get",
				`Get "Steps.Compile.OutputParameters['compiled']": step "Compile" declares no output parameter "compiled" in OutputParameters`}},
		},
		{
			name:  "Get of a Fail step",
			edits: []edit{{"/Steps/-", `{"Name": "Publish", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:p", "Arguments": {"why": {"Get": "Steps.QualityGateFailed.ErrorMessage"}}}`}},
			want:  []Problem{{"/Steps/4/Arguments/why/Get", `Get "Steps.QualityGateFailed.ErrorMessage": a Fail step has no properties`}},
		},
		{
			name:  "property file read with Get instead of Std:JsonGet",
			edits: []edit{{failStep + "/Arguments/ErrorMessage", `{"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}`}},
			want: []Problem{{failStep + "/Arguments/ErrorMessage/Get",
				`Get "Steps.Evaluate.PropertyFiles.EvaluationReport": property files are read with Std:JsonGet, not Get`}},
		},
		{
			name:  "Std:JsonGet of an undeclared property file",
			edits: []edit{{gate + "/Arguments/Conditions/0/LeftValue/Std:JsonGet/PropertyFile/Get", `"Steps.Evaluate.PropertyFiles.Evaluation"`}},
			want: []Problem{{gate + "/Arguments/Conditions/0/LeftValue/Std:JsonGet/PropertyFile/Get",
				`Std:JsonGet PropertyFile "Steps.Evaluate.PropertyFiles.Evaluation": step "Evaluate" declares no property file "Evaluation" in PropertyFiles`}},
		},
		{
			name:  "Std:JsonGet PropertyFile that is not a property file path",
			edits: []edit{{gate + "/Arguments/Conditions/0/LeftValue/Std:JsonGet/PropertyFile/Get", `"Steps.Evaluate.ProcessingOutputConfig"`}},
			want: []Problem{{gate + "/Arguments/Conditions/0/LeftValue/Std:JsonGet/PropertyFile/Get",
				`Std:JsonGet PropertyFile "Steps.Evaluate.ProcessingOutputConfig" must be Steps.<step>.PropertyFiles.<name>`}},
		},
		{
			name:  "property file reading an output the step does not write",
			edits: []edit{{evaluate + "/PropertyFiles/0/OutputName", `"metrics"`}},
			want: []Problem{{evaluate + "/PropertyFiles/0/OutputName",
				`property file "EvaluationReport" reads output "metrics", but step "Evaluate" has no such output in ProcessingOutputConfig.Outputs`}},
		},
		{
			name:  "parameter default outside its EnumValues",
			edits: []edit{{"/Parameters/1/DefaultValue", `"full"`}},
			want:  []Problem{{"/Parameters/1/DefaultValue", `DefaultValue "full" is not one of the parameter's EnumValues`}},
		},
		{
			name: "duplicate processing output name",
			edits: []edit{{prepare + "/Arguments/ProcessingOutputConfig/Outputs/-",
				`{"OutputName": "train", "S3Output": {"S3Uri": "s3://b/t", "LocalPath": "/opt/ml/processing/output/t", "S3UploadMode": "EndOfJob"}}`}},
			want: []Problem{{prepare + "/Arguments/ProcessingOutputConfig/Outputs/3/OutputName",
				`step "Prepare" has two processing outputs named "train" (the other is at /Steps/0/Arguments/ProcessingOutputConfig/Outputs/0)`}},
		},
		{
			name:  "duplicate processing input name",
			edits: []edit{{evaluate + "/Arguments/ProcessingInputs/1/InputName", `"model"`}},
			want: []Problem{{evaluate + "/Arguments/ProcessingInputs/1/InputName",
				`step "Evaluate" has two processing inputs named "model" (the other is at /Steps/2/Arguments/ProcessingInputs/0)`}},
		},
		{
			name:  "duplicate training channel",
			edits: []edit{{train + "/Arguments/InputDataConfig/1/ChannelName", `"train"`}},
			want: []Problem{{train + "/Arguments/InputDataConfig/1/ChannelName",
				`step "Train" has two training channels named "train" (the other is at /Steps/1/Arguments/InputDataConfig/0)`}},
		},
		{
			name:  "schema: expression with two functions",
			edits: []edit{{train + "/Arguments/HyperParameters/epochs", `{"Get": "Parameters.Method", "Std:Join": {"Values": ["3"]}}`}},
			want: []Problem{{train + "/Arguments/HyperParameters/epochs",
				"an expression is an object with exactly one key: Get, Std:Join or Std:JsonGet"}},
		},
		{
			name:  "schema: empty expression in an integer slot",
			edits: []edit{{train + "/Arguments/ResourceConfig/InstanceCount", `{}`}},
			want: []Problem{{train + "/Arguments/ResourceConfig/InstanceCount",
				"an expression is an object with exactly one key: Get or Std:JsonGet"}},
		},
		// --- graph ---
		{
			name:  "cycle through DependsOn and data references",
			edits: []edit{{prepare + "/DependsOn", `["Evaluate"]`}},
			want: []Problem{{evaluate,
				"the step graph has a cycle: Evaluate -> Prepare -> Evaluate; steps Evaluate, Prepare, Train all depend on each other (edges come from DependsOn, Get/Std:JsonGet references and condition branches); remove one of them"}},
		},
		{
			name:  "step reading its own properties",
			edits: []edit{{train + "/Arguments/HyperParameters/epochs", `{"Get": "Steps.Train.TrainingJobName"}`}},
			want: []Problem{{train,
				"the step graph has a cycle: Train -> Train (edges come from DependsOn, Get/Std:JsonGet references and condition branches); remove one of them"}},
		},
		{
			name:  "condition reading a step in its own branch",
			edits: []edit{{gate + "/Arguments/Conditions/0/RightValue", `{"Get": "Steps.Compile.OutputParameters['compiled_uri']"}`}},
			want: []Problem{{compile,
				"the step graph has a cycle: Compile -> Gate -> Compile; steps Compile, Gate, Register all depend on each other (edges come from DependsOn, Get/Std:JsonGet references and condition branches); remove one of them"}},
		},
		// --- Fail ---
		{
			name:  "Fail step without ErrorMessage",
			edits: []edit{{failStep + "/Arguments/ErrorMessage", ""}},
			want:  []Problem{{failStep + "/Arguments", `Fail step "QualityGateFailed" has no ErrorMessage; say why the pipeline stopped`}},
		},
		{
			name:  "Fail step with an empty ErrorMessage",
			edits: []edit{{failStep + "/Arguments/ErrorMessage", `""`}},
			want:  []Problem{{failStep + "/Arguments/ErrorMessage", `Fail step "QualityGateFailed" has an empty ErrorMessage; say why the pipeline stopped`}},
		},
		// --- retry policies ---
		{
			name:  "retry IntervalSeconds out of range",
			edits: []edit{{train + "/RetryPolicies/0/IntervalSeconds", `43201`}},
			want: []Problem{{train + "/RetryPolicies/0/IntervalSeconds",
				"IntervalSeconds is 43201; it must be between 1 and 43200 (seconds before the first retry)"}},
		},
		{
			name:  "retry MaxAttempts out of range",
			edits: []edit{{train + "/RetryPolicies/0/MaxAttempts", `21`}},
			want: []Problem{{train + "/RetryPolicies/0/MaxAttempts",
				"MaxAttempts is 21; it must be between 1 and 20 (0 would mean never retry: drop the policy instead)"}},
		},
		{
			name:  "retry ExpireAfterMin out of range",
			edits: []edit{{register + "/RetryPolicies/0/ExpireAfterMin", `14401`}},
			want: []Problem{{register + "/RetryPolicies/0/ExpireAfterMin",
				"ExpireAfterMin is 14401; it must be between 1 and 14400 minutes (14400 is 10 days)"}},
		},
		{
			name:  "retry BackoffRate below 1",
			edits: []edit{{train + "/RetryPolicies/0/BackoffRate", `0.5`}},
			want: []Problem{{train + "/RetryPolicies/0/BackoffRate",
				"BackoffRate is 0.5; it must be at least 1 (it multiplies the wait after each attempt; below 1 the waits shrink)"}},
		},
		{
			name:  "retry policy with both MaxAttempts and ExpireAfterMin",
			edits: []edit{{train + "/RetryPolicies/0/ExpireAfterMin", `60`}},
			want: []Problem{{train + "/RetryPolicies/0",
				"a retry policy needs exactly one of MaxAttempts and ExpireAfterMin (the SDK's RetryPolicy refuses both and neither)"}},
		},
		{
			name:  "retry policy with neither MaxAttempts nor ExpireAfterMin",
			edits: []edit{{train + "/RetryPolicies/0/MaxAttempts", ""}},
			want: []Problem{{train + "/RetryPolicies/0",
				"a retry policy needs exactly one of MaxAttempts and ExpireAfterMin (the SDK's RetryPolicy refuses both and neither)"}},
		},
		// --- cache ---
		{
			name:  "CacheConfig ExpireAfter that is not ISO 8601",
			edits: []edit{{prepare + "/CacheConfig/ExpireAfter", `"30 days"`}},
			want: []Problem{{prepare + "/CacheConfig/ExpireAfter",
				`ExpireAfter "30 days" is not an ISO 8601 duration (it must start with P); write e.g. PT1H, P30D or P4DT12H`}},
		},
		// --- size and syntax ---
		{
			name:  "definition over the inline size limit",
			edits: []edit{{compile + "/Arguments/padding", `"` + strings.Repeat("x", maxInlineDefinition) + `"`}},
			want:  nil, // depends on the encoded size; built in the loop
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := applyEdits(t, base, tc.edits)
			want := tc.want
			if strings.HasPrefix(tc.name, "definition over") {
				want = []Problem{{"", "the definition is " + strconv.Itoa(len(def)) +
					" characters, over CreatePipeline's inline limit of 1048576; shrink it or upload it and pass PipelineDefinitionS3Location"}}
			}
			got := c.Check(def)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestCheckRejectsInvalidJSON(t *testing.T) {
	got := newChecker(t).Check([]byte(`{"Version": "2020-12-01", "Steps": [}`))
	want := []Problem{{"", "not valid JSON: invalid character '}' looking for beginning of value"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
