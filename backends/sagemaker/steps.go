package sagemaker

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/ir"
)

// Container paths of the step runner (SPEC.md section 2).
const (
	codeDir      = "/opt/ml/processing/input/code"
	ortDir       = "/opt/ml/processing/input/ort"
	configDir    = "/opt/ml/processing/input/config"
	rawDir       = "/opt/ml/processing/input/raw"
	outputDir    = "/opt/ml/processing/output"
	modelDir     = "/opt/ml/processing/input/model"
	testDir      = "/opt/ml/processing/input/test"
	evaluateDir  = "/opt/ml/processing/evaluation"
	reportOutput = "report"
	// EvaluationPropertyFile is the name gates read the report through.
	EvaluationPropertyFile = "EvaluationReport"
	// DataStatsPropertyFile exposes prepare's stats.json (dataset digest).
	DataStatsPropertyFile = "DataStats"
)

// runnerEntrypoint runs the slm binary from its code input: S3 downloads
// are not executable, so it is copied with the execute bit first.
func runnerEntrypoint(args ...string) []string {
	return append([]string{"/bin/sh", "-c", `install -m 0755 ` + codeDir + `/slm /tmp/slm && exec /tmp/slm "$@"`, "slm"}, args...)
}

func s3Input(name string, uri any, local string) obj {
	return obj{
		"InputName":  name,
		"AppManaged": false,
		"S3Input": obj{
			"S3Uri":                  uri,
			"LocalPath":              local,
			"S3DataType":             "S3Prefix",
			"S3InputMode":            "File",
			"S3DataDistributionType": "FullyReplicated",
		},
	}
}

func s3Output(name string, uri any, local string) obj {
	return obj{
		"OutputName": name,
		"AppManaged": false,
		"S3Output":   obj{"S3Uri": uri, "LocalPath": local, "S3UploadMode": "EndOfJob"},
	}
}

// dirOf strips the file name from a content-addressed URI: processing
// inputs download a prefix into a directory.
func dirOf(uri string) string { return uri[:strings.LastIndex(uri, "/")+1] }

func (g *generator) processingArgs(c ir.Compute, entry []string, inputs, outputs []any, env obj) obj {
	args := obj{
		"ProcessingResources": obj{"ClusterConfig": obj{
			"InstanceType":   c.InstanceType,
			"InstanceCount":  c.InstanceCount,
			"VolumeSizeInGB": c.VolumeSizeGB,
		}},
		"AppSpecification":       obj{"ImageUri": c.Image, "ContainerEntrypoint": entry},
		"RoleArn":                g.p.Project.ExecutionRoleARN,
		"ProcessingInputs":       inputs,
		"ProcessingOutputConfig": obj{"Outputs": outputs},
		"StoppingCondition":      obj{"MaxRuntimeInSeconds": c.MaxRuntimeSeconds},
	}
	if env != nil {
		args["Environment"] = env
	}
	return args
}

// prepareConfig is the prepare.json of SPEC.md section 2.1.
func prepareConfig(d ir.Dataset, p ir.Prepare) []byte {
	exp := obj{}
	e := d.Expectations
	if e.MinRows != nil {
		exp["min_rows"] = *e.MinRows
	}
	if e.MaxRows != nil {
		exp["max_rows"] = *e.MaxRows
	}
	if len(e.NotNull) > 0 {
		exp["not_null"] = e.NotNull
	}
	if e.TextMinLength != nil || e.TextMaxLength != nil {
		tl := obj{}
		if e.TextMinLength != nil {
			tl["min"] = *e.TextMinLength
		}
		if e.TextMaxLength != nil {
			tl["max"] = *e.TextMaxLength
		}
		exp["text_length"] = tl
	}
	if len(e.AllowedLabels) > 0 {
		exp["allowed_labels"] = e.AllowedLabels
	}
	if e.MaxDuplicateRatio != nil {
		exp["max_duplicate_ratio"] = *e.MaxDuplicateRatio
	}
	if e.MinExamplesPerLabel != nil {
		exp["min_examples_per_label"] = *e.MinExamplesPerLabel
	}
	cfg := obj{
		"dataset": obj{
			"name": d.Name, "format": d.Format, "text_field": d.TextField, "label_field": d.LabelField,
			"expectations": exp,
		},
		"cleaning": p.Cleaning,
		"split":    p.Split,
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	return append(b, '\n')
}

func (g *generator) prepareStep(p ir.Prepare) obj {
	d := g.datasets[p.Dataset]
	img := p.Compute
	cfgURI := g.upload(artifact.File{Role: "prepare configuration", Name: "prepare.json", Content: prepareConfig(d, p)})
	inputs := []any{
		s3Input("code", dirOf(g.runner), codeDir),
		s3Input("config", cfgURI, configDir),
		s3Input("raw", value(d.Source), rawDir),
	}
	var outputs []any
	for _, split := range []string{"train", "validation", "test"} {
		outputs = append(outputs, s3Output(split, g.executionPath(p.Output, "prepare-"+p.Name+"/"+split), outputDir+"/"+split))
	}
	outputs = append(outputs, s3Output(reportOutput, g.executionPath(p.Output, "prepare-"+p.Name+"/report"), outputDir+"/report"))
	entry := runnerEntrypoint("step", "prepare",
		"--config", configDir+"/prepare.json", "--input", rawDir, "--output", outputDir, "--report", outputDir+"/report")
	step := obj{
		"Name":      p.StepName,
		"Type":      "Processing",
		"Arguments": g.processingArgs(img, entry, inputs, outputs, nil),
		"PropertyFiles": []any{obj{
			"PropertyFileName": DataStatsPropertyFile + "-" + p.Name,
			"OutputName":       reportOutput,
			"FilePath":         "stats.json",
		}},
	}
	return options(step, p.Options)
}

func processingOutput(step, output string) obj {
	return get("Steps." + step + ".ProcessingOutputConfig.Outputs['" + output + "'].S3Output.S3Uri")
}

// hyper renders hyperparameters the way the SageMaker Python SDK does: each
// value JSON-encoded into a string, which the training toolkit decodes.
func hyper(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (g *generator) trainingStep(f ir.FineTune) obj {
	prep := g.prepares[f.Data]
	model := f.BaseModel.HubID
	if f.BaseModel.S3URI != "" {
		model = "/opt/ml/input/data/base_model"
	}
	hp := obj{
		"sagemaker_program":             hyper("train.py"),
		"sagemaker_submit_directory":    hyper(g.trainingSource),
		"sagemaker_container_log_level": hyper(20),
		"sagemaker_region":              hyper(g.p.Project.Region),
		"model_name_or_path":            hyper(model),
		"model_revision":                hyper(f.BaseModel.Revision),
		"method":                        hyper(string(f.Method)),
		"pooling":                       hyper(f.BaseModel.Pooling),
		"lora_r":                        hyper(f.LoRA.R),
		"lora_alpha":                    hyper(f.LoRA.Alpha),
		"lora_dropout":                  hyper(f.LoRA.Dropout),
		"lora_target_modules":           hyper(strings.Join(f.LoRA.TargetModules, ",")),
		"epochs":                        hyper(f.Hyper.Epochs),
		"learning_rate":                 hyper(f.Hyper.LearningRate),
		"per_device_train_batch_size":   hyper(f.Hyper.BatchSize),
		"per_device_eval_batch_size":    hyper(f.Hyper.EvalBatchSize),
		"warmup_ratio":                  hyper(f.Hyper.WarmupRatio),
		"weight_decay":                  hyper(f.Hyper.WeightDecay),
		"max_seq_length":                hyper(f.MaxSeqLength),
		"seed":                          hyper(f.Hyper.Seed),
		"out_of_scope_label":            hyper(f.OOSLabel),
		"oos_max_in_scope_drop":         hyper(f.OOSMaxInScopeDrop),
		"quantize_int8":                 hyper(strconv.FormatBool(f.QuantizeInt8)),
	}
	if f.Processes > 1 {
		// The SageMaker SDK's distribution={"torch_distributed": {"enabled":
		// True}}: the container launches train.py with torchrun, one
		// process per GPU on every instance.
		hp["sagemaker_torch_distributed_enabled"] = hyper(true)
		hp["sagemaker_instance_type"] = hyper(f.Compute.InstanceType)
	}
	channel := func(name string, uri any) obj {
		return obj{
			"ChannelName": name,
			"DataSource": obj{"S3DataSource": obj{
				"S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated",
			}},
		}
	}
	inputs := []any{
		channel("train", processingOutput(prep.StepName, "train")),
		channel("validation", processingOutput(prep.StepName, "validation")),
	}
	if f.BaseModel.S3URI != "" {
		inputs = append(inputs, channel("base_model", f.BaseModel.S3URI))
	}
	var metrics []any
	for _, m := range f.Metrics {
		metrics = append(metrics, obj{"Name": m.Name, "Regex": m.Regex})
	}
	stop := obj{"MaxRuntimeInSeconds": f.Compute.MaxRuntimeSeconds}
	if f.Compute.Spot {
		stop["MaxWaitTimeInSeconds"] = f.Compute.MaxWaitSeconds
	}
	args := obj{
		"AlgorithmSpecification": obj{
			"TrainingImage":                    f.Compute.Image,
			"TrainingInputMode":                "File",
			"MetricDefinitions":                metrics,
			"EnableSageMakerMetricsTimeSeries": true,
		},
		"OutputDataConfig":  obj{"S3OutputPath": g.executionPath(f.Output, "finetune-"+f.Name)},
		"StoppingCondition": stop,
		"ResourceConfig": obj{
			"InstanceType":   f.Compute.InstanceType,
			"InstanceCount":  f.Compute.InstanceCount,
			"VolumeSizeInGB": f.Compute.VolumeSizeGB,
		},
		"RoleArn":         g.p.Project.ExecutionRoleARN,
		"InputDataConfig": inputs,
		"HyperParameters": hp,
		"Environment":     obj{"SLM_PIPELINE": g.p.Project.PipelineName},
	}
	if f.Compute.Spot {
		args["EnableManagedSpotTraining"] = true
	}
	if f.CheckpointURI != "" {
		args["CheckpointConfig"] = obj{"S3Uri": f.CheckpointURI, "LocalPath": "/opt/ml/checkpoints"}
	}
	return options(obj{"Name": f.StepName, "Type": "Training", "Arguments": args}, f.Options)
}

func (g *generator) evaluateStep(e ir.Evaluate) obj {
	ft := g.tunes[e.Model]
	prep := g.prepares[e.Data]
	bundle := "bundle"
	if e.Variant == "int8" {
		bundle = "bundle-int8"
	}
	inputs := []any{
		s3Input("code", dirOf(g.runner), codeDir),
		s3Input("ort", dirOf(g.ortLib), ortDir),
		s3Input("model", get("Steps."+ft.StepName+".ModelArtifacts.S3ModelArtifacts"), modelDir),
		s3Input("test", processingOutput(prep.StepName, "test"), testDir),
	}
	outputs := []any{s3Output("evaluation", g.executionPath(ft.Output, "evaluate-"+e.Name), evaluateDir)}
	entry := runnerEntrypoint("step", "evaluate",
		"--model", modelDir+"/model.tar.gz", "--test", testDir, "--output", evaluateDir, "--bundle-name", bundle)
	step := obj{
		"Name":      e.StepName,
		"Type":      "Processing",
		"Arguments": g.processingArgs(e.Compute, entry, inputs, outputs, obj{"SLM_ORT_LIB": ortDir + "/libonnxruntime.so.1"}),
		"PropertyFiles": []any{obj{
			"PropertyFileName": EvaluationPropertyFile,
			"OutputName":       "evaluation",
			"FilePath":         "evaluation.json",
		}},
	}
	return options(step, e.Options)
}

func (g *generator) reportValue(gt ir.Gate, path string) obj {
	ev := g.evals[gt.Evaluation]
	return obj{"Std:JsonGet": obj{
		"PropertyFile": get("Steps." + ev.StepName + ".PropertyFiles." + EvaluationPropertyFile),
		"Path":         path,
	}}
}

func (g *generator) conditionStep(gt ir.Gate) obj {
	var conds []any
	for _, t := range gt.Thresholds {
		conds = append(conds, obj{
			"Type":       string(t.Compare),
			"LeftValue":  g.reportValue(gt, t.JSONPath),
			"RightValue": value(t.Value),
		})
	}
	return obj{
		"Name": gt.StepName,
		"Type": "Condition",
		"Arguments": obj{
			"Conditions": conds,
			"IfSteps":    []any{},
			"ElseSteps":  []any{},
		},
	}
}

// failStep's message names each bound with the measured value, so a failed
// execution says which threshold was missed without opening the report.
func (g *generator) failStep(gt ir.Gate) obj {
	parts := []any{gt.Message + " Measured:"}
	for i, t := range gt.Thresholds {
		sep := " "
		if i > 0 {
			sep = "; "
		}
		bound := "min"
		if t.Compare == ir.AtMost {
			bound = "max"
		}
		parts = append(parts, sep+t.Metric+"=", g.reportValue(gt, t.JSONPath), " ("+bound+" ", value(t.Value), ")")
	}
	parts = append(parts, ".")
	return obj{"Name": gt.FailStepName, "Type": "Fail", "Arguments": obj{"ErrorMessage": join(parts...)}}
}

func (g *generator) registerStep(r ir.Register) obj {
	ft := g.tunes[r.Model]
	ev := g.evals[r.Evaluation]
	prep := g.prepares[ft.Data]
	args := obj{
		"ModelPackageGroupName":   r.ModelPackageGroup,
		"ModelApprovalStatus":     value(r.Approval),
		"ModelPackageDescription": r.Description,
		"InferenceSpecification": obj{
			"Containers": []any{obj{
				"Image":        r.InferenceImage,
				"ModelDataUrl": get("Steps." + ft.StepName + ".ModelArtifacts.S3ModelArtifacts"),
			}},
			"SupportedContentTypes":                   []string{"application/json"},
			"SupportedResponseMIMETypes":              []string{"application/json"},
			"SupportedRealtimeInferenceInstanceTypes": r.InferenceInstanceTypes,
			"SupportedTransformInstanceTypes":         r.InferenceInstanceTypes,
		},
		"ModelMetrics": obj{"ModelQuality": obj{"Statistics": obj{
			"ContentType": "application/json",
			"S3Uri":       join(processingOutput(ev.StepName, "evaluation"), "/evaluation.json"),
		}}},
		// Lineage: what the model was made from, readable in the registry.
		"CustomerMetadataProperties": obj{
			"slm:pipeline":           g.p.Project.PipelineName,
			"slm:config-sha256":      g.p.SourceDigest,
			"slm:training-code":      g.trainingSource,
			"slm:step-runner":        g.runner,
			"slm:base-model":         baseModelID(ft.BaseModel),
			"slm:dataset-sha256":     obj{"Std:JsonGet": obj{"PropertyFile": get("Steps." + prep.StepName + ".PropertyFiles." + DataStatsPropertyFile + "-" + prep.Name), "Path": "input_sha256"}},
			"slm:execution":          get("Execution.PipelineExecutionArn"),
			"slm:evaluation-variant": ev.Variant,
			// The gates the package passed (it sits in their passing
			// branches); apply ships a package only to an edge target
			// whose gates are all listed here.
			"slm:gates": strings.Join(r.Gates, ","),
		},
	}
	return options(obj{"Name": r.StepName, "Type": "RegisterModel", "Arguments": args}, r.Options)
}

func baseModelID(b ir.BaseModel) string {
	if b.S3URI != "" {
		return b.S3URI
	}
	return b.HubID + "@" + b.Revision
}
