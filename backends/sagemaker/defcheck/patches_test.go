package defcheck

import (
	"fmt"
	"strings"
)

// schemaPatches lists, in order, every correction applied to the stale upstream schema. README.md
// explains each one (what, why, evidence); corrections_test.go checks that each sample in accept is
// rejected before the patch and accepted after it, and the reverse for reject.
func schemaPatches() []patch {
	return []patch{
		{
			name: "schema-identity",
			// "http://json-schema.org/schema#" means "the latest draft", which changes under us;
			// the $id pointed at a personal fork. No behaviour change for draft 2020-12 validators.
			apply: func(doc map[string]any) error {
				doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
				doc["$id"] = schemaID
				doc["title"] = "SageMaker pipeline definition (2020-12-01), corrected by slm defcheck"
				return nil
			},
		},
		{
			name:  "argument-values-dispatch",
			apply: patchArgumentValuesDispatch,
			// Only the error messages change: one precise problem instead of every oneOf branch.
		},
		{
			name:  "join-function",
			apply: patchJoinFunction,
			accept: []string{
				wrapSteps(`{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage":
					{"Std:Join": {"On": ": ", "Values": ["accuracy below gate", {"Get": "Execution.PipelineExecutionId"}]}}}}`),
				wrapSteps(`{"Name": "Train", "Type": "Training", "Arguments": {"HyperParameters":
					{"run": {"Std:Join": {"On": "-", "Values": ["run", {"Get": "Execution.PipelineExecutionId"}]}}}}}`),
			},
			reject: []string{
				// Before the patch Std:Join's own keywords sat at the wrong level; an On that is not a
				// string was never checked once Join was reachable.
			},
		},
		{
			name:  "json-get-function",
			apply: patchJSONGetFunction,
			accept: []string{
				wrapSteps(`{"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "GreaterThanOrEqualTo",
					"LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.EvaluationReport"},
					"Path": "multiclass_classification_metrics.accuracy.value"}}, "RightValue": 0.9}]}}`),
			},
		},
		{
			name:  "pipeline-experiment-config",
			apply: patchPipelineExperimentConfig,
			accept: []string{
				`{"Version": "2020-12-01", "PipelineExperimentConfig": {"ExperimentName": {"Get": "Execution.PipelineName"},
					"TrialName": {"Get": "Execution.PipelineExecutionId"}}, "Steps": [` + minimalStep + `]}`,
				`{"Version": "2020-12-01", "PipelineExperimentConfig": null, "Steps": [` + minimalStep + `]}`,
			},
		},
		{
			name:  "parameter-dispatch",
			apply: patchParameterDispatch,
			// Only the error messages change (Type selects the parameter schema).
		},
		{
			name:  "parameter-enum-values",
			apply: patchParameterEnumValues,
			accept: []string{
				`{"Version": "2020-12-01", "Parameters": [{"Name": "Method", "Type": "String", "DefaultValue": "lora",
					"EnumValues": ["lora", "qlora"]}], "Steps": [` + minimalStep + `]}`,
			},
		},
		{
			name:  "step-dispatch",
			apply: patchStepDispatch,
			reject: []string{
				// EndpointConfigStep declared Type "Endpoint" too, so an Endpoint step without an
				// EndpointConfigName slipped through the oneOf as an endpoint config.
				wrapSteps(`{"Name": "Deploy", "Type": "Endpoint", "Arguments": {"ProductionVariants": [{"VariantName": "AllTraffic"}]}}`),
			},
		},
		{
			name:  "condition-branches-any-step",
			apply: patchConditionBranches,
			accept: []string{
				wrapSteps(`{"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
					"IfSteps": [{"Name": "Compile", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:neo", "Arguments": {}}],
					"ElseSteps": [{"Name": "Inner", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 2}]}}]}}`),
			},
		},
		{
			name:  "condition-dispatch",
			apply: patchConditionDispatch,
			accept: []string{
				// Or may hold any condition, including Not and Or.
				wrapSteps(`{"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "Or", "Conditions": [
					{"Type": "Or", "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}]}]}]}}`),
			},
			reject: []string{
				// The SDK's ConditionTypeEnum has no NotEquals and no NotIn; use Not around Equals or In.
				wrapSteps(`{"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "NotEquals", "LeftValue": 1, "RightValue": 2}]}}`),
			},
		},
		{
			name:  "in-condition-shape",
			apply: patchInCondition,
			accept: []string{
				wrapSteps(`{"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "In",
					"QueryValue": {"Get": "Execution.PipelineName"}, "Values": ["a", "b"]}]}}`),
			},
		},
		{
			name:  "not-condition",
			apply: patchNotCondition,
			accept: []string{
				wrapSteps(`{"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "Not",
					"Condition": {"Type": "Equals", "LeftValue": 1, "RightValue": 2}}]}}`),
			},
		},
		{
			name:  "retry-exception-type-array",
			apply: patchRetryExceptionType,
			accept: []string{
				wrapSteps(`{"Name": "Train", "Type": "Training", "Arguments": {}, "RetryPolicies": [{"ExceptionType":
					["SageMaker.CAPACITY_ERROR", "SageMaker.JOB_INTERNAL_ERROR"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 3}]}`),
			},
			reject: []string{
				wrapSteps(`{"Name": "Train", "Type": "Training", "Arguments": {}, "RetryPolicies": [{"ExceptionType":
					"SageMaker.CAPACITY_ERROR", "MaxAttempts": 3}]}`),
			},
		},
		{
			name:  "property-files",
			apply: patchPropertyFiles,
			accept: []string{
				wrapSteps(`{"Name": "Eval", "Type": "Processing", "Arguments": {}, "PropertyFiles": [{"PropertyFileName": "EvaluationReport",
					"OutputName": "evaluation", "FilePath": "evaluation.json"}]}`),
			},
		},
		{
			name:  "processing-app-managed",
			apply: patchProcessingAppManaged,
			accept: []string{
				wrapSteps(`{"Name": "Prep", "Type": "Processing", "Arguments": {
					"ProcessingInputs": [{"InputName": "code", "AppManaged": false, "S3Input": {"S3Uri": "s3://b/k", "LocalPath": "/opt/ml/processing/input/code"}}],
					"ProcessingOutputConfig": {"Outputs": [{"OutputName": "train", "AppManaged": false, "S3Output": {"S3Uri": "s3://b/o", "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}]}}}`),
			},
		},
		{
			name:  "emr-step-name-optional",
			apply: patchEMRStepName,
			accept: []string{
				wrapSteps(`{"Name": "Emr", "Type": "EMR", "Arguments": {"ClusterId": "j-1", "StepConfig": {"HadoopJarStep": {"Jar": "s3://b/x.jar"}}}}`),
			},
		},
		{
			name:  "register-model-arguments",
			apply: patchRegisterModelArguments,
			accept: []string{
				wrapSteps(`{"Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": "intent",
					"ModelApprovalStatus": "PendingManualApproval", "SkipModelValidation": "None", "Tags": [{"Key": "project", "Value": "slm"}],
					"CustomerMetadataProperties": {"bundle_sha256": "abc"},
					"DriftCheckBaselines": {"ModelQuality": {"Constraints": {"ContentType": "application/json", "S3Uri": "s3://b/c.json"}}},
					"InferenceSpecification": {"Containers": [{"Image": "img", "ModelDataUrl": "s3://b/model.tar.gz", "Environment": {"A": "1"}}],
						"SupportedContentTypes": ["application/json"], "SupportedResponseMIMETypes": ["application/json"]}}}`),
				// Upstream put ModelPackageName beside "properties", where it is no keyword at all.
				wrapSteps(`{"Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelPackageName": "intent-unversioned"}}`),
			},
		},
		{
			name:  "training-arguments",
			apply: patchTrainingArguments,
			accept: []string{
				wrapSteps(`{"Name": "Train", "Type": "Training", "Arguments": {
					"AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File", "ContainerEntrypoint": ["python"], "ContainerArguments": ["train.py"]},
					"Environment": {"HF_HUB_OFFLINE": "1"}, "ProfilerConfig": {"S3OutputPath": "s3://b/p", "DisableProfiler": true},
					"RetryStrategy": {"MaximumRetryAttempts": 2}}}`),
			},
		},
		{
			name:  "fail-arguments-closed",
			apply: patchFailArguments,
			reject: []string{
				wrapSteps(`{"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMesage": "typo"}}`),
			},
		},
	}
}

// minimalStep is a step every version of the schema accepts; samples put it beside the feature
// they exercise.
const minimalStep = `{"Name": "Train", "Type": "Training", "Arguments": {}}`

func wrapSteps(steps ...string) string {
	return `{"Version": "2020-12-01", "Metadata": {}, "Parameters": [], "Steps": [` + strings.Join(steps, ", ") + `]}`
}

func patchArgumentValuesDispatch(doc map[string]any) error {
	// Decide by the JSON type first: an object must be an expression, anything else the literal
	// type. The stale oneOf reported a failure from every branch for one mistake.
	for name, f := range map[string]string{
		"Expression": `{"type": "object", "minProperties": 1, "maxProperties": 1,
			"properties": {"Get": {"type": "string"}}, "additionalProperties": false}`,
		"StringExpression": `{"type": "object", "minProperties": 1, "maxProperties": 1,
			"properties": {"Get": {"type": "string"}}, "additionalProperties": false}`,
		"StringArgumentValue":    `{"if": {"type": "object"}, "then": {"$ref": "#/definitions/StringExpression"}, "else": {"type": "string"}}`,
		"IntegerArgumentValue":   `{"if": {"type": "object"}, "then": {"$ref": "#/definitions/Expression"}, "else": {"type": "integer"}}`,
		"FloatArgumentValue":     `{"if": {"type": "object"}, "then": {"$ref": "#/definitions/Expression"}, "else": {"type": "number"}}`,
		"BooleanArgumentValue":   `{"if": {"type": "object"}, "then": {"$ref": "#/definitions/Expression"}, "else": {"type": "boolean"}}`,
		"PrimitiveArgumentValue": `{"if": {"type": "object"}, "then": {"$ref": "#/definitions/StringExpression"}, "else": {"type": ["string", "number", "boolean"]}}`,
	} {
		if err := setDef(doc, name, f); err != nil {
			return err
		}
	}
	// Conditions compared any of the four argument types through anyOf; same meaning, one schema.
	if err := setProps(doc, defPath("BinaryCondition"), map[string]string{
		"LeftValue":  `{"$ref": "#/definitions/PrimitiveArgumentValue"}`,
		"RightValue": `{"$ref": "#/definitions/PrimitiveArgumentValue"}`,
	}); err != nil {
		return err
	}
	return setProps(doc, defPath("InCondition"), map[string]string{
		"Value": `{"$ref": "#/definitions/PrimitiveArgumentValue"}`,
		"In":    `{"type": "array", "items": {"$ref": "#/definitions/PrimitiveArgumentValue"}}`,
	})
}

func patchJoinFunction(doc map[string]any) error {
	// The stale JoinFunction put Values/required/additionalProperties directly under "Std:Join"
	// (so any key of the join object was "additional") and nothing referenced it.
	defs, err := node(doc, "definitions")
	if err != nil {
		return err
	}
	delete(defs, "JoinFunction")
	if err := setDef(doc, "JoinArguments", `{"type": "object",
		"properties": {"On": {"type": "string"}, "Values": {"type": "array", "items": {"$ref": "#/definitions/PrimitiveArgumentValue"}}},
		"required": ["Values"], "additionalProperties": false}`); err != nil {
		return err
	}
	return setProps(doc, defPath("StringExpression"), map[string]string{
		"Std:Join": `{"$ref": "#/definitions/JoinArguments"}`,
	})
}

func patchJSONGetFunction(doc map[string]any) error {
	if err := setDef(doc, "JsonGetArguments", `{"type": "object",
		"properties": {"PropertyFile": {"$ref": "#/definitions/GetFunction"}, "Path": {"type": "string", "minLength": 1}},
		"required": ["PropertyFile", "Path"], "additionalProperties": false}`); err != nil {
		return err
	}
	for _, def := range []string{"Expression", "StringExpression"} {
		if err := setProps(doc, defPath(def), map[string]string{
			"Std:JsonGet": `{"$ref": "#/definitions/JsonGetArguments"}`,
		}); err != nil {
			return err
		}
	}
	return nil
}

func patchPipelineExperimentConfig(doc map[string]any) error {
	// The SDK writes null when experiments are disabled (pipeline_experiment_config=None).
	return setProps(doc, nil, map[string]string{
		"PipelineExperimentConfig": `{"if": {"type": "object"}, "then": {"type": "object",
			"properties": {"ExperimentName": {"$ref": "#/definitions/StringArgumentValue"}, "TrialName": {"$ref": "#/definitions/StringArgumentValue"}},
			"additionalProperties": false}, "else": {"type": "null"}}`,
	})
}

func patchParameterDispatch(doc map[string]any) error {
	// A parameter without Type is a String parameter (the stale StringParameter did not require
	// Type, the others did); Type selects exactly one schema.
	if err := setDef(doc, "Parameter", `{"type": "object",
		"properties": {"Type": {"enum": ["String", "Integer", "Float", "Boolean"]}},
		"allOf": [
			{"if": {"not": {"required": ["Type"]}}, "then": {"$ref": "#/definitions/StringParameter"}},
			{"if": {"required": ["Type"], "properties": {"Type": {"const": "String"}}}, "then": {"$ref": "#/definitions/StringParameter"}},
			{"if": {"required": ["Type"], "properties": {"Type": {"const": "Integer"}}}, "then": {"$ref": "#/definitions/IntegerParameter"}},
			{"if": {"required": ["Type"], "properties": {"Type": {"const": "Float"}}}, "then": {"$ref": "#/definitions/FloatParameter"}},
			{"if": {"required": ["Type"], "properties": {"Type": {"const": "Boolean"}}}, "then": {"$ref": "#/definitions/BooleanParameter"}}
		]}`); err != nil {
		return err
	}
	return setProps(doc, nil, map[string]string{
		"Parameters": `{"type": "array", "items": {"$ref": "#/definitions/Parameter"}}`,
	})
}

func patchParameterEnumValues(doc map[string]any) error {
	// sagemaker.workflow.parameters.ParameterString(enum_values=...) writes EnumValues; only
	// String parameters have it.
	return setProps(doc, defPath("StringParameter"), map[string]string{
		"EnumValues": `{"type": "array", "minItems": 1, "uniqueItems": true, "items": {"type": "string", "maxLength": 4096}}`,
	})
}

// stepSchemas maps each step Type to its definition. EndpointConfigStep is left out on purpose:
// upstream gave it Type "Endpoint" as well, and no source available here says what the service
// calls it, so it stays unreachable rather than guessed.
var stepSchemas = [][2]string{
	{"AutoML", "AutoMLStep"},
	{"Callback", "CallbackStep"},
	{"ClarifyCheck", "ClarifyCheckStep"},
	{"Condition", "ConditionStep"},
	{"EMR", "EMRStep"},
	{"Endpoint", "EndpointStep"},
	{"Fail", "FailStep"},
	{"Lambda", "LambdaStep"},
	{"Model", "CreateModelStep"},
	{"Processing", "ProcessingStep"},
	{"QualityCheck", "QualityCheckStep"},
	{"RegisterModel", "RegisterModelStep"},
	{"Training", "TrainingStep"},
	{"Transform", "TransformStep"},
	{"Tuning", "TuningStep"},
}

func patchStepDispatch(doc map[string]any) error {
	types := make([]string, 0, len(stepSchemas))
	branches := make([]string, 0, len(stepSchemas))
	for _, s := range stepSchemas {
		types = append(types, fmt.Sprintf("%q", s[0]))
		branches = append(branches, fmt.Sprintf(
			`{"if": {"required": ["Type"], "properties": {"Type": {"const": %q}}}, "then": {"$ref": "#/definitions/%s"}}`, s[0], s[1]))
	}
	if err := setDef(doc, "Step", `{"type": "object", "required": ["Type"],
		"properties": {"Type": {"enum": [`+strings.Join(types, ", ")+`]}},
		"allOf": [`+strings.Join(branches, ", ")+`]}`); err != nil {
		return err
	}
	return setProps(doc, nil, map[string]string{
		"Steps": `{"type": "array", "items": {"$ref": "#/definitions/Step"}}`,
	})
}

func patchConditionBranches(doc map[string]any) error {
	// The SDK's ConditionStep takes any Step or StepCollection in if_steps/else_steps, nested
	// ConditionSteps included (_steps_compiler.py flattens them); upstream allowed five types.
	return setProps(doc, defPath("ConditionStep", "properties", "Arguments"), map[string]string{
		"IfSteps":   `{"type": "array", "items": {"$ref": "#/definitions/Step"}}`,
		"ElseSteps": `{"type": "array", "items": {"$ref": "#/definitions/Step"}}`,
	})
}

func patchConditionDispatch(doc map[string]any) error {
	if err := setDef(doc, "Condition", `{"type": "object", "required": ["Type"],
		"properties": {"Type": {"enum": ["Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo", "In", "Or"]}},
		"allOf": [
			{"if": {"required": ["Type"], "properties": {"Type": {"enum": ["Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"]}}},
			 "then": {"$ref": "#/definitions/BinaryCondition"}},
			{"if": {"required": ["Type"], "properties": {"Type": {"const": "In"}}}, "then": {"$ref": "#/definitions/InCondition"}},
			{"if": {"required": ["Type"], "properties": {"Type": {"const": "Or"}}}, "then": {"$ref": "#/definitions/OrCondition"}}
		]}`); err != nil {
		return err
	}
	if err := setProps(doc, defPath("BinaryCondition"), map[string]string{
		"Type": `{"type": "string", "enum": ["Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"]}`,
	}); err != nil {
		return err
	}
	if err := setProps(doc, defPath("InCondition"), map[string]string{
		"Type": `{"type": "string", "enum": ["In"]}`,
	}); err != nil {
		return err
	}
	if err := setProps(doc, defPath("OrCondition"), map[string]string{
		"Conditions": `{"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/Condition"}}`,
	}); err != nil {
		return err
	}
	return setProps(doc, defPath("ConditionStep", "properties", "Arguments"), map[string]string{
		"Conditions": `{"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/Condition"}}`,
	})
}

func patchInCondition(doc map[string]any) error {
	// sagemaker.workflow.conditions.ConditionIn.to_request writes {Type, QueryValue, Values}.
	return setDef(doc, "InCondition", `{"type": "object",
		"properties": {"Type": {"type": "string", "enum": ["In"]},
			"QueryValue": {"$ref": "#/definitions/PrimitiveArgumentValue"},
			"Values": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/PrimitiveArgumentValue"}}},
		"required": ["Type", "QueryValue", "Values"], "additionalProperties": false}`)
}

func patchNotCondition(doc map[string]any) error {
	// sagemaker.workflow.conditions.ConditionNot writes {Type: "Not", Condition: {...}}.
	if err := setDef(doc, "NotCondition", `{"type": "object",
		"properties": {"Type": {"type": "string", "enum": ["Not"]}, "Condition": {"$ref": "#/definitions/Condition"}},
		"required": ["Type", "Condition"], "additionalProperties": false}`); err != nil {
		return err
	}
	cond, err := node(doc, "definitions", "Condition")
	if err != nil {
		return err
	}
	typ, err := node(cond, "properties", "Type")
	if err != nil {
		return err
	}
	typ["enum"] = append(typ["enum"].([]any), "Not")
	cond["allOf"] = append(cond["allOf"].([]any),
		frag(`{"if": {"required": ["Type"], "properties": {"Type": {"const": "Not"}}}, "then": {"$ref": "#/definitions/NotCondition"}}`))
	return nil
}

func patchRetryExceptionType(doc map[string]any) error {
	// retry.py: request["ExceptionType"] = [e.value for e in self.exception_types].
	return setProps(doc, defPath("RetryPolicy"), map[string]string{
		"ExceptionType": `{"type": "array", "minItems": 1, "uniqueItems": true, "items": {"type": "string", "enum": [
			"Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"]}}`,
	})
}

func patchPropertyFiles(doc map[string]any) error {
	// ProcessingStep.to_request writes PropertyFiles beside Arguments; Std:JsonGet reads them.
	return setProps(doc, defPath("ProcessingStep"), map[string]string{
		"PropertyFiles": `{"type": "array", "items": {"type": "object",
			"properties": {"PropertyFileName": {"type": "string", "pattern": "^[A-Za-z0-9\\-_]{1,64}$"},
				"OutputName": {"type": "string", "minLength": 1}, "FilePath": {"type": "string", "minLength": 1}},
			"required": ["PropertyFileName", "OutputName", "FilePath"], "additionalProperties": false}}`,
	})
}

func patchProcessingAppManaged(doc map[string]any) error {
	// ProcessingInput/ProcessingOutput._to_request_dict always write AppManaged (default false).
	inputs := defPath("ProcessingArgs", "properties", "ProcessingInputs", "items")
	if err := setProps(doc, inputs, map[string]string{
		"AppManaged":        `{"$ref": "#/definitions/BooleanArgumentValue"}`,
		"DatasetDefinition": `{"type": "object"}`,
	}); err != nil {
		return err
	}
	outputs := defPath("ProcessingArgs", "properties", "ProcessingOutputConfig", "properties", "Outputs", "items")
	return setProps(doc, outputs, map[string]string{
		"AppManaged":         `{"$ref": "#/definitions/BooleanArgumentValue"}`,
		"FeatureStoreOutput": `{"type": "object", "properties": {"FeatureGroupName": {"$ref": "#/definitions/StringArgumentValue"}}, "additionalProperties": false}`,
	})
}

func patchEMRStepName(doc map[string]any) error {
	// EMRStep.arguments writes StepConfig without Name (the service names the EMR step).
	cfg, err := node(doc, defPath("EMRStep", "properties", "Arguments", "properties", "StepConfig")...)
	if err != nil {
		return err
	}
	cfg["required"] = []any{"HadoopJarStep"}
	return nil
}

func patchRegisterModelArguments(doc map[string]any) error {
	// Fields get_create_model_package_request writes that upstream did not declare.
	args := defPath("RegisterModelStep", "properties", "Arguments")
	argsObj, err := node(doc, args...)
	if err != nil {
		return err
	}
	delete(argsObj, "ModelPackageName")
	metricsSource := `{"type": "object", "properties": {"ContentType": {"$ref": "#/definitions/StringArgumentValue"},
		"ContentDigest": {"$ref": "#/definitions/StringArgumentValue"}, "S3Uri": {"$ref": "#/definitions/StringArgumentValue"}},
		"required": ["ContentType", "S3Uri"], "additionalProperties": false}`
	if err := setDef(doc, "MetricsSource", metricsSource); err != nil {
		return err
	}
	if err := setProps(doc, args, map[string]string{
		"ModelApprovalStatus": `{"if": {"type": "object"}, "then": {"$ref": "#/definitions/StringExpression"},
			"else": {"type": "string", "enum": ["Approved", "Rejected", "PendingManualApproval"]}}`,
		"SkipModelValidation":        `{"type": "string", "enum": ["All", "None"]}`,
		"Tags":                       `{"type": "array", "items": {"$ref": "#/definitions/Tag"}}`,
		"SamplePayloadUrl":           `{"$ref": "#/definitions/StringArgumentValue"}`,
		"Task":                       `{"$ref": "#/definitions/StringArgumentValue"}`,
		"Domain":                     `{"$ref": "#/definitions/StringArgumentValue"}`,
		"SourceUri":                  `{"$ref": "#/definitions/StringArgumentValue"}`,
		"CustomerMetadataProperties": `{"type": "object", "additionalProperties": {"$ref": "#/definitions/StringArgumentValue"}}`,
		"MetadataProperties": `{"type": "object", "properties": {"CommitId": {"$ref": "#/definitions/StringArgumentValue"},
			"GeneratedBy": {"$ref": "#/definitions/StringArgumentValue"}, "ProjectId": {"$ref": "#/definitions/StringArgumentValue"},
			"Repository": {"$ref": "#/definitions/StringArgumentValue"}}, "additionalProperties": false}`,
		"ModelPackageName":        `{"$ref": "#/definitions/StringArgumentValue"}`,
		"ValidationSpecification": `{"type": "object"}`,
		"ModelCard":               `{"type": "object"}`,
		"ModelLifeCycle":          `{"type": "object"}`,
		"DriftCheckBaselines": `{"type": "object", "properties": {
			"Bias": {"type": "object", "properties": {"ConfigFile": {"$ref": "#/definitions/MetricsSource"},
				"PreTrainingConstraints": {"$ref": "#/definitions/MetricsSource"}, "PostTrainingConstraints": {"$ref": "#/definitions/MetricsSource"}},
				"additionalProperties": false},
			"Explainability": {"type": "object", "properties": {"Constraints": {"$ref": "#/definitions/MetricsSource"},
				"ConfigFile": {"$ref": "#/definitions/MetricsSource"}}, "additionalProperties": false},
			"ModelQuality": {"type": "object", "properties": {"Statistics": {"$ref": "#/definitions/MetricsSource"},
				"Constraints": {"$ref": "#/definitions/MetricsSource"}}, "additionalProperties": false},
			"ModelDataQuality": {"type": "object", "properties": {"Statistics": {"$ref": "#/definitions/MetricsSource"},
				"Constraints": {"$ref": "#/definitions/MetricsSource"}}, "additionalProperties": false}},
			"additionalProperties": false}`,
	}); err != nil {
		return err
	}
	// The SDK's ModelMetrics writes PreTrainingReport/PostTrainingReport for bias.
	if err := setProps(doc, append(args, "properties", "ModelMetrics", "properties", "Bias"), map[string]string{
		"PreTrainingReport":  metricsSource,
		"PostTrainingReport": metricsSource,
	}); err != nil {
		return err
	}
	// Container fields of CreateModelPackage the SDK passes through from Model.prepare_container_def.
	return setProps(doc, append(args, "properties", "InferenceSpecification", "properties", "Containers", "items"), map[string]string{
		"Environment":            `{"type": "object", "additionalProperties": {"$ref": "#/definitions/StringArgumentValue"}}`,
		"Framework":              `{"$ref": "#/definitions/StringArgumentValue"}`,
		"FrameworkVersion":       `{"$ref": "#/definitions/StringArgumentValue"}`,
		"NearestModelName":       `{"$ref": "#/definitions/StringArgumentValue"}`,
		"ModelDataSource":        `{"type": "object"}`,
		"ModelInput":             `{"type": "object"}`,
		"IsCheckpoint":           `{"$ref": "#/definitions/BooleanArgumentValue"}`,
		"AdditionalS3DataSource": `{"type": "object"}`,
	})
}

func patchTrainingArguments(doc map[string]any) error {
	// Fields Session._get_train_request writes that upstream did not declare.
	args := defPath("TrainingStep", "properties", "Arguments")
	if err := setProps(doc, append(args, "properties", "AlgorithmSpecification"), map[string]string{
		"ContainerEntrypoint": `{"type": "array", "items": {"$ref": "#/definitions/StringArgumentValue"}}`,
		"ContainerArguments":  `{"type": "array", "items": {"$ref": "#/definitions/StringArgumentValue"}}`,
		"TrainingImageConfig": `{"type": "object"}`,
	}); err != nil {
		return err
	}
	return setProps(doc, args, map[string]string{
		"Environment": `{"type": "object", "additionalProperties": {"$ref": "#/definitions/StringArgumentValue"}}`,
		"ProfilerConfig": `{"type": "object", "properties": {"S3OutputPath": {"$ref": "#/definitions/StringArgumentValue"},
			"ProfilingIntervalInMilliseconds": {"$ref": "#/definitions/IntegerArgumentValue"},
			"ProfilingParameters": {"type": "object", "additionalProperties": {"$ref": "#/definitions/StringArgumentValue"}},
			"DisableProfiler": {"$ref": "#/definitions/BooleanArgumentValue"}}, "additionalProperties": false}`,
		"ProfilerRuleConfigurations": `{"type": "array", "items": {"type": "object"}}`,
		"RetryStrategy": `{"type": "object", "properties": {"MaximumRetryAttempts": {"$ref": "#/definitions/IntegerArgumentValue"}},
			"required": ["MaximumRetryAttempts"], "additionalProperties": false}`,
		"ExperimentConfig":      `{"type": "object"}`,
		"InfraCheckConfig":      `{"type": "object"}`,
		"RemoteDebugConfig":     `{"type": "object"}`,
		"SessionChainingConfig": `{"type": "object"}`,
	})
}

func patchFailArguments(doc map[string]any) error {
	// FailStep.arguments is {"ErrorMessage": ...} only; upstream left the object open.
	args, err := node(doc, defPath("FailStep", "properties", "Arguments")...)
	if err != nil {
		return err
	}
	args["additionalProperties"] = false
	return nil
}
