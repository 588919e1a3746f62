// Package lang reads .slm.hcl files: it parses them, decodes their blocks into
// a configuration model that keeps expressions unevaluated, resolves input
// variables from their sources, and evaluates expressions in a scope. Every
// declaration keeps its source range so later stages can point at it.
package lang

import (
	"github.com/hashicorp/hcl/v2"
)

// Config is one directory of .slm.hcl files, decoded but not evaluated.
type Config struct {
	Dir   string
	Files []string // the files read, sorted

	Project     *Project
	Variables   map[string]*Variable
	Locals      map[string]*Local
	Parameters  map[string]*Parameter
	Storage     map[string]*Storage
	Datasets    map[string]*Dataset
	Prepares    map[string]*Prepare
	FineTunes   map[string]*FineTune
	Evaluations map[string]*Evaluate
	Gates       map[string]*Gate
	Registers   map[string]*Register
	EdgeTargets map[string]*EdgeTarget
	Monitoring  *Monitoring

	// ForEach holds the for_each expression of repeated blocks, by address
	// (TYPE.NAME), until ExpandRepetition replaces them by their instances.
	ForEach map[string]hcl.Expression
}

// Project is the `project` block: names and places the whole pipeline.
type Project struct {
	Name      string
	Body      ProjectBody
	DeclRange hcl.Range
}

// ProjectBody is the content of a `project` block.
type ProjectBody struct {
	Environment      hcl.Expression `hcl:"environment,optional"`
	Region           hcl.Expression `hcl:"region"`
	Account          hcl.Expression `hcl:"account,optional"`
	Tags             hcl.Expression `hcl:"tags,optional"`
	MaxParallelSteps hcl.Expression `hcl:"max_parallel_steps,optional"`
	Description      hcl.Expression `hcl:"description,optional"`
	ArtifactStorage  hcl.Expression `hcl:"artifact_storage"`
	// ReadAccess grants the execution role read access to S3 locations
	// outside the storage blocks (another team's datasets or models).
	ReadAccess hcl.Expression `hcl:"read_access,optional"`
}

// Variable is a compile-time input variable declaration.
type Variable struct {
	Name    string
	Type    hcl.Expression // a type expression, read with typeexpr
	Default hcl.Expression
	// HasDefault says the declaration writes a default, null included:
	// default = null makes the variable optional with a null value.
	HasDefault  bool
	Description string
	Sensitive   bool
	Validations []*VariableValidation
	DeclRange   hcl.Range
}

// VariableValidation is one `validation` block inside a variable.
type VariableValidation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Local is one named value in a `locals` block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Parameter is a SageMaker pipeline parameter: a value resolved at run time.
type Parameter struct {
	Name      string
	Body      ParameterBody
	DeclRange hcl.Range
}

// ParameterBody is the content of a `parameter` block.
type ParameterBody struct {
	Type        hcl.Expression `hcl:"type"`
	Default     hcl.Expression `hcl:"default,optional"`
	Enum        hcl.Expression `hcl:"enum,optional"`
	Description hcl.Expression `hcl:"description,optional"`
}

// Storage is an S3 location: a bucket and a prefix with its policies.
type Storage struct {
	Name      string
	Body      StorageBody
	DeclRange hcl.Range
}

// StorageBody is the content of a `storage` block.
type StorageBody struct {
	Bucket        hcl.Expression   `hcl:"bucket"`
	Prefix        hcl.Expression   `hcl:"prefix,optional"`
	Versioning    hcl.Expression   `hcl:"versioning,optional"`
	Encryption    hcl.Expression   `hcl:"encryption,optional"`
	KMSKey        hcl.Expression   `hcl:"kms_key,optional"`
	ForceDestroy  hcl.Expression   `hcl:"force_destroy,optional"`
	LifecycleRule []*LifecycleRule `hcl:"lifecycle_rule,block"`
}

// LifecycleRule is a `lifecycle_rule` block inside `storage`.
type LifecycleRule struct {
	Name                            string         `hcl:"name,label"`
	Prefix                          hcl.Expression `hcl:"prefix,optional"`
	ExpirationDays                  hcl.Expression `hcl:"expiration_days,optional"`
	NoncurrentVersionExpirationDays hcl.Expression `hcl:"noncurrent_version_expiration_days,optional"`
	AbortIncompleteMultipartDays    hcl.Expression `hcl:"abort_incomplete_multipart_days,optional"`
	Transitions                     []*Transition  `hcl:"transition,block"`
}

// Transition moves objects to another storage class after some days.
type Transition struct {
	Days         hcl.Expression `hcl:"days"`
	StorageClass hcl.Expression `hcl:"storage_class"`
}

// Dataset is a raw data source and its expectations.
type Dataset struct {
	Name      string
	Body      DatasetBody
	DeclRange hcl.Range
}

// DatasetBody is the content of a `dataset` block.
type DatasetBody struct {
	Source     hcl.Expression `hcl:"source"`
	Format     hcl.Expression `hcl:"format"`
	TextField  hcl.Expression `hcl:"text_field,optional"`
	LabelField hcl.Expression `hcl:"label_field,optional"`
	// LabelMap renames this dataset's labels, so datasets that spell a
	// label differently can be prepared together.
	LabelMap hcl.Expression `hcl:"label_map,optional"`
	Expect   *Expectations  `hcl:"expect,block"`
}

// Expectations are the checks a dataset must pass before it is used.
type Expectations struct {
	MinRows             hcl.Expression `hcl:"min_rows,optional"`
	MaxRows             hcl.Expression `hcl:"max_rows,optional"`
	NotNull             hcl.Expression `hcl:"not_null,optional"`
	TextMinLength       hcl.Expression `hcl:"text_min_length,optional"`
	TextMaxLength       hcl.Expression `hcl:"text_max_length,optional"`
	AllowedLabels       hcl.Expression `hcl:"allowed_labels,optional"`
	MaxDuplicateRatio   hcl.Expression `hcl:"max_duplicate_ratio,optional"`
	MinExamplesPerLabel hcl.Expression `hcl:"min_examples_per_label,optional"`
}

// Compute is where a step runs.
type Compute struct {
	InstanceType  hcl.Expression `hcl:"instance_type"`
	InstanceCount hcl.Expression `hcl:"instance_count,optional"`
	VolumeSizeGB  hcl.Expression `hcl:"volume_size_gb,optional"`
	MaxRuntime    hcl.Expression `hcl:"max_runtime,optional"`
	Spot          hcl.Expression `hcl:"spot,optional"`
	MaxWait       hcl.Expression `hcl:"max_wait,optional"`
	Image         hcl.Expression `hcl:"image,optional"`
}

// Retry is a step's retry policy.
type Retry struct {
	On              hcl.Expression `hcl:"on"`
	MaxAttempts     hcl.Expression `hcl:"max_attempts,optional"`
	IntervalSeconds hcl.Expression `hcl:"interval_seconds,optional"`
	BackoffRate     hcl.Expression `hcl:"backoff_rate,optional"`
}

// Cache is a step's cache configuration.
type Cache struct {
	ExpireAfter hcl.Expression `hcl:"expire_after"`
}

// StepOptions are the blocks every pipeline step accepts.
type StepOptions struct {
	Compute *Compute `hcl:"compute,block"`
	Retry   []*Retry `hcl:"retry,block"`
	Cache   *Cache   `hcl:"cache,block"`
}

// Prepare cleans and splits a dataset.
type Prepare struct {
	Name      string
	Body      PrepareBody
	DeclRange hcl.Range
}

// PrepareBody is the content of a `prepare` block.
type PrepareBody struct {
	Dataset hcl.Expression `hcl:"dataset,optional"`
	// Datasets is a union of several datasets (instead of dataset).
	Datasets hcl.Expression `hcl:"datasets,optional"`
	Output   hcl.Expression `hcl:"output"`
	Cleaning *Cleaning      `hcl:"cleaning,block"`
	Split    *Split         `hcl:"split,block"`
	Compute  *Compute       `hcl:"compute,block"`
	Retry    []*Retry       `hcl:"retry,block"`
	Cache    *Cache         `hcl:"cache,block"`
}

// Cleaning is how text is normalised before splitting.
type Cleaning struct {
	UnicodeNFC         hcl.Expression `hcl:"unicode_nfc,optional"`
	CollapseWhitespace hcl.Expression `hcl:"collapse_whitespace,optional"`
	Lowercase          hcl.Expression `hcl:"lowercase,optional"`
	Deduplicate        hcl.Expression `hcl:"deduplicate,optional"`
}

// Split is the train/validation/test split: ratios of a seeded random
// split, or Field, the row field that already names each row's split.
type Split struct {
	Field      hcl.Expression `hcl:"field,optional"`
	Train      hcl.Expression `hcl:"train,optional"`
	Validation hcl.Expression `hcl:"validation,optional"`
	Test       hcl.Expression `hcl:"test,optional"`
	Stratify   hcl.Expression `hcl:"stratify,optional"`
	Seed       hcl.Expression `hcl:"seed,optional"`
}

// FineTune is a LoRA or QLoRA fine-tuning job.
type FineTune struct {
	Name      string
	Body      FineTuneBody
	DeclRange hcl.Range
}

// FineTuneBody is the content of a `finetune` block.
type FineTuneBody struct {
	Data            hcl.Expression      `hcl:"data"`
	Output          hcl.Expression      `hcl:"output"`
	Method          hcl.Expression      `hcl:"method"`
	Checkpoints     hcl.Expression      `hcl:"checkpoints,optional"`
	BaseModel       *BaseModel          `hcl:"base_model,block"`
	Tokenizer       *Tokenizer          `hcl:"tokenizer,block"`
	LoRA            *LoRA               `hcl:"lora,block"`
	Hyperparameters *Hyperparameters    `hcl:"hyperparameters,block"`
	Export          *Export             `hcl:"export,block"`
	Framework       *Framework          `hcl:"framework,block"`
	Metrics         []*MetricDefinition `hcl:"metric,block"`
	Compute         *Compute            `hcl:"compute,block"`
	Retry           []*Retry            `hcl:"retry,block"`
	Cache           *Cache              `hcl:"cache,block"`
}

// BaseModel is the pretrained model to fine-tune.
type BaseModel struct {
	HubID    hcl.Expression `hcl:"hub_id,optional"`
	Revision hcl.Expression `hcl:"revision,optional"`
	S3URI    hcl.Expression `hcl:"s3_uri,optional"`
	// Pooling is how the encoder's token states become the one vector the
	// classification head reads: "mean" (as sentence encoders are trained) or "cls".
	Pooling hcl.Expression `hcl:"pooling,optional"`
}

// Tokenizer says how text becomes token ids.
type Tokenizer struct {
	MaxSeqLength hcl.Expression `hcl:"max_seq_length,optional"`
}

// LoRA holds the low-rank adapter settings.
type LoRA struct {
	R             hcl.Expression `hcl:"r"`
	Alpha         hcl.Expression `hcl:"alpha"`
	Dropout       hcl.Expression `hcl:"dropout,optional"`
	TargetModules hcl.Expression `hcl:"target_modules"`
}

// Hyperparameters are the optimiser settings.
type Hyperparameters struct {
	Epochs        hcl.Expression `hcl:"epochs,optional"`
	LearningRate  hcl.Expression `hcl:"learning_rate,optional"`
	BatchSize     hcl.Expression `hcl:"batch_size,optional"`
	EvalBatchSize hcl.Expression `hcl:"eval_batch_size,optional"`
	WarmupRatio   hcl.Expression `hcl:"warmup_ratio,optional"`
	WeightDecay   hcl.Expression `hcl:"weight_decay,optional"`
	Seed          hcl.Expression `hcl:"seed,optional"`
}

// Export is the edge packaging done at the end of training.
type Export struct {
	QuantizeInt8    hcl.Expression `hcl:"quantize_int8,optional"`
	OutOfScopeLabel hcl.Expression `hcl:"out_of_scope_label,optional"`
	// MaxInScopeDrop bounds what the out-of-scope confidence threshold may
	// cost in in-scope accuracy on the validation split (a fraction).
	MaxInScopeDrop hcl.Expression `hcl:"max_in_scope_drop,optional"`
}

// Framework pins the training container's framework versions.
type Framework struct {
	PyTorch      hcl.Expression `hcl:"pytorch,optional"`
	Transformers hcl.Expression `hcl:"transformers,optional"`
	Python       hcl.Expression `hcl:"python,optional"`
	CUDA         hcl.Expression `hcl:"cuda,optional"`
}

// MetricDefinition is an extra regex the training job's log is scanned with.
type MetricDefinition struct {
	Name  string         `hcl:"name,label"`
	Regex hcl.Expression `hcl:"regex"`
}

// Evaluate measures a fine-tuned model on the test split.
type Evaluate struct {
	Name      string
	Body      EvaluateBody
	DeclRange hcl.Range
}

// EvaluateBody is the content of an `evaluate` block.
type EvaluateBody struct {
	Model   hcl.Expression `hcl:"model"`
	Data    hcl.Expression `hcl:"data"`
	Variant hcl.Expression `hcl:"variant,optional"`
	Compute *Compute       `hcl:"compute,block"`
	Retry   []*Retry       `hcl:"retry,block"`
	Cache   *Cache         `hcl:"cache,block"`
}

// Gate is a quality gate: thresholds over an evaluation's metrics.
type Gate struct {
	Name      string
	Body      GateBody
	DeclRange hcl.Range
}

// GateBody is the content of a `gate` block.
type GateBody struct {
	Evaluation hcl.Expression `hcl:"evaluation"`
	Message    hcl.Expression `hcl:"message,optional"`
	Thresholds []*Threshold   `hcl:"threshold,block"`
	Dynamic    []*DynamicBlock
}

// DynamicBlock is a `dynamic "TYPE"` block: one TYPE block per element of
// for_each (only "threshold", in gates).
type DynamicBlock struct {
	Type     string
	ForEach  hcl.Expression
	Iterator string
	Labels   hcl.Expression
	Content  hcl.Body
	Range    hcl.Range
}

// Threshold bounds one metric.
type Threshold struct {
	Metric string         `hcl:"metric,label"`
	Min    hcl.Expression `hcl:"min,optional"`
	Max    hcl.Expression `hcl:"max,optional"`
	// VsApproved bounds the metric relative to the latest approved model
	// of the registration's group (champion/challenger).
	VsApproved hcl.Expression `hcl:"vs_approved,optional"`
	DeclRange  hcl.Range
}

// Register puts a model into the model registry.
type Register struct {
	Name      string
	Body      RegisterBody
	DeclRange hcl.Range
}

// RegisterBody is the content of a `register` block.
type RegisterBody struct {
	Model                  hcl.Expression `hcl:"model"`
	Evaluation             hcl.Expression `hcl:"evaluation"`
	Gates                  hcl.Expression `hcl:"gates,optional"`
	ModelPackageGroup      hcl.Expression `hcl:"model_package_group"`
	Approval               hcl.Expression `hcl:"approval"`
	Description            hcl.Expression `hcl:"description,optional"`
	InferenceInstanceTypes hcl.Expression `hcl:"inference_instance_types,optional"`
	InferenceImage         hcl.Expression `hcl:"inference_image,optional"`
	Retry                  []*Retry       `hcl:"retry,block"`
}

// EdgeTarget is a fleet of devices that receives a registered model.
type EdgeTarget struct {
	Name      string
	Body      EdgeTargetBody
	DeclRange hcl.Range
}

// EdgeTargetBody is the content of an `edge_target` block.
type EdgeTargetBody struct {
	Model           hcl.Expression `hcl:"model"`
	Gates           hcl.Expression `hcl:"gates,optional"`
	ThingGroup      hcl.Expression `hcl:"thing_group"`
	Platforms       hcl.Expression `hcl:"platforms"`
	ComponentName   hcl.Expression `hcl:"component_name"`
	Variant         hcl.Expression `hcl:"variant,optional"`
	Storage         hcl.Expression `hcl:"storage"`
	FailureHandling hcl.Expression `hcl:"failure_handling,optional"`
	Rollout         *Rollout       `hcl:"rollout,block"`
	Canary          *Canary        `hcl:"canary,block"`
	Runtime         *EdgeRuntime   `hcl:"runtime,block"`
}

// Canary is the first stage of a staged rollout: a small thing group that
// receives the release before the fleet does.
type Canary struct {
	ThingGroup hcl.Expression `hcl:"thing_group"`
	// Rollout overrides the target's IoT job configuration for the canary
	// stage; attributes left out are the target's.
	Rollout *Rollout `hcl:"rollout,block"`
}

// Rollout is how fast a deployment reaches the fleet and when it stops.
type Rollout struct {
	BaseRatePerMinute         hcl.Expression `hcl:"base_rate_per_minute,optional"`
	IncrementFactor           hcl.Expression `hcl:"increment_factor,optional"`
	SucceededThingsToIncrease hcl.Expression `hcl:"succeeded_things_to_increase,optional"`
	MaxPerMinute              hcl.Expression `hcl:"max_per_minute,optional"`
	AbortFailurePercent       hcl.Expression `hcl:"abort_failure_percent,optional"`
	AbortMinExecutedThings    hcl.Expression `hcl:"abort_min_executed_things,optional"`
	// AbortOn lists the IoT job failure types the abort criteria count.
	AbortOn                 hcl.Expression `hcl:"abort_on,optional"`
	TimeoutMinutes          hcl.Expression `hcl:"timeout_minutes,optional"`
	ComponentUpdatePolicy   hcl.Expression `hcl:"component_update_policy,optional"`
	ConfigValidationTimeout hcl.Expression `hcl:"config_validation_timeout_seconds,optional"`
}

// EdgeRuntime is the slm-edge configuration on each device.
type EdgeRuntime struct {
	Listen   hcl.Expression `hcl:"listen,optional"`
	Threads  hcl.Expression `hcl:"threads,optional"`
	MaxBatch hcl.Expression `hcl:"max_batch,optional"`
	Workers  hcl.Expression `hcl:"workers,optional"`
	MaxWait  hcl.Expression `hcl:"max_wait,optional"`
	MaxQueue hcl.Expression `hcl:"max_queue,optional"`
	LogLevel hcl.Expression `hcl:"log_level,optional"`
}

// Monitoring is the alarms and their notification targets.
type Monitoring struct {
	Body      MonitoringBody
	DeclRange hcl.Range
}

// MonitoringBody is the content of the `monitoring` block.
type MonitoringBody struct {
	NotifyEmails hcl.Expression `hcl:"notify_emails,optional"`
	Alarms       []*Alarm       `hcl:"alarm,block"`
	// Dynamic are `dynamic "alarm"` blocks, expanded into Alarms.
	Dynamic []*DynamicBlock
}

// Alarm is one CloudWatch alarm.
type Alarm struct {
	Name              string         `hcl:"name,label"`
	Metric            hcl.Expression `hcl:"metric"`
	Threshold         hcl.Expression `hcl:"threshold"`
	Period            hcl.Expression `hcl:"period,optional"`
	EvaluationPeriods hcl.Expression `hcl:"evaluation_periods,optional"`
	EdgeTarget        hcl.Expression `hcl:"edge_target,optional"`
}
