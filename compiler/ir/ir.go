// Package ir is the typed intermediate representation of a pipeline: the only
// input of the backends. Every value is known and checked; values SageMaker
// resolves at run time are Values with a parameter reference. Slices are
// sorted by name so backends emit the same bytes for the same input.
package ir

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Pipeline is one compiled configuration for one environment.
type Pipeline struct {
	Project     Project
	Variables   []Variable
	Parameters  []Parameter
	Storage     []Storage
	Datasets    []Dataset
	Prepares    []Prepare
	FineTunes   []FineTune
	Evaluations []Evaluate
	Gates       []Gate
	Registers   []Register
	EdgeTargets []EdgeTarget
	Monitoring  Monitoring
	// Steps is the SageMaker step DAG, in a stable topological order.
	Steps []Step
	// SourceDigest is the SHA-256 of the configuration files (names and
	// bytes, in sorted order): tags and artifact names carry it.
	SourceDigest string
}

// Project names and places the pipeline.
type Project struct {
	Name        string
	Environment string
	Region      string
	Account     string // empty when not pinned
	Description string
	Tags        map[string]string
	// PipelineName is the SageMaker pipeline's name: <project>-<environment>.
	PipelineName     string
	MaxParallelSteps int
	// ExecutionRoleName is the IAM role SageMaker runs the steps as; the
	// Terraform creates it and the definition names it by ARN, which needs
	// the account (ExecutionRoleARN is empty without one).
	ExecutionRoleName string
	ExecutionRoleARN  string
	// ArtifactStorage is the Storage.Name that holds step code and
	// pipeline artifacts (s3://<bucket>/<prefix>code/<sha256>/<file>).
	ArtifactStorage string
	// ReadAccess are S3 locations outside the storage blocks the
	// execution role may read (project read_access), sorted.
	ReadAccess []S3Location
	Range      hcl.Range
}

// S3Location is a bucket and a key prefix ("" for the whole bucket).
type S3Location struct {
	Bucket string
	Prefix string
	URI    string // s3://bucket/prefix
}

// Variable records a compile-time variable's value and where it came from,
// for the plan.
type Variable struct {
	Name      string
	Display   string // the value as HCL, or "(sensitive)"
	Sensitive bool
	Source    string   // e.g. "var file envs/dev.slmvars.hcl:3"
	Overrode  []string // earlier assignments it replaced, in order
}

// ParamType is a SageMaker pipeline parameter type.
type ParamType string

// The SageMaker pipeline parameter types.
const (
	ParamString  ParamType = "String"
	ParamInteger ParamType = "Integer"
	ParamFloat   ParamType = "Float"
	ParamBoolean ParamType = "Boolean"
)

// Parameter is a value SageMaker resolves when the pipeline runs.
type Parameter struct {
	Name        string // as referenced in HCL: param.<Name>
	SageMaker   string // the pipeline's parameter name (CamelCase)
	Type        ParamType
	Default     any // string, int64, float64 or bool; nil when none
	Enum        []string
	Description string
	Range       hcl.Range
}

// Value is a scalar that is either known at compile time or resolved by
// SageMaker at run time from parameters.
type Value struct {
	// Literal is the known value (string, int64, float64 or bool) when
	// Param and Join are empty.
	Literal any
	// Param is the SageMaker name of the parameter this value reads.
	Param string
	// Join concatenates parts (literals and parameters) at run time.
	Join []Value
}

// Lit returns a known value.
func Lit(v any) Value { return Value{Literal: v} }

// IsRuntime says whether SageMaker resolves the value.
func (v Value) IsRuntime() bool { return v.Param != "" || len(v.Join) > 0 }

// Encryption is how a bucket encrypts objects at rest.
type Encryption string

// The supported bucket encryption modes.
const (
	EncryptionS3  Encryption = "AES256"  // SSE-S3
	EncryptionKMS Encryption = "aws:kms" // SSE-KMS
)

// Storage is an S3 location with its bucket settings.
type Storage struct {
	Name       string
	Bucket     string
	Prefix     string // "" or ending in "/"
	URI        string // s3://bucket/prefix
	Versioning bool
	Encryption Encryption
	// KMSKeyARN names an existing key; empty with CreateKMSKey means the
	// Terraform creates one.
	KMSKeyARN    string
	CreateKMSKey bool
	ForceDestroy bool
	Lifecycle    []LifecycleRule
	Range        hcl.Range
}

// LifecycleRule is an S3 lifecycle rule.
type LifecycleRule struct {
	Name                            string
	Prefix                          string
	ExpirationDays                  int
	NoncurrentVersionExpirationDays int
	AbortIncompleteMultipartDays    int
	Transitions                     []Transition
}

// Transition moves objects to a storage class after Days.
type Transition struct {
	Days         int
	StorageClass string
}

// Dataset is a raw data source.
type Dataset struct {
	Name         string
	Source       Value // s3:// URI, possibly a parameter
	Format       string
	TextField    string
	LabelField   string
	LabelMap     map[string]string // raw label -> label in the splits
	Expectations Expectations
	Range        hcl.Range
}

// Expectations are a dataset's checks; nil pointers are unchecked.
type Expectations struct {
	MinRows             *int64
	MaxRows             *int64
	NotNull             []string
	TextMinLength       *int64
	TextMaxLength       *int64
	AllowedLabels       []string
	MaxDuplicateRatio   *float64
	MinExamplesPerLabel *int64
}

// Compute is where a step runs.
type Compute struct {
	InstanceType      string
	InstanceCount     int
	VolumeSizeGB      int
	MaxRuntimeSeconds int
	Spot              bool
	MaxWaitSeconds    int
	Image             string // resolved image URI
}

// RetryPolicy is a SageMaker step retry policy.
type RetryPolicy struct {
	ExceptionTypes  []string
	MaxAttempts     int
	IntervalSeconds int
	BackoffRate     float64
}

// StepOptions are settings every step kind has.
type StepOptions struct {
	Retry []RetryPolicy
	// CacheExpireAfter is an ISO-8601 duration; empty disables caching.
	CacheExpireAfter string
}

// Prepare validates, cleans and splits a dataset.
type Prepare struct {
	Name     string
	StepName string
	Dataset  string // Dataset.Name: the first of Datasets
	// Datasets are the datasets prepared together (a union), in the order
	// written; one for `dataset = ...`.
	Datasets []string
	Output   string // Storage.Name
	Cleaning Cleaning
	Split    Split
	Compute  Compute
	Options  StepOptions
	Range    hcl.Range
}

// Cleaning is how text is normalised.
type Cleaning struct {
	UnicodeNFC         bool `json:"unicode_nfc"`
	CollapseWhitespace bool `json:"collapse_whitespace"`
	Lowercase          bool `json:"lowercase"`
	Deduplicate        bool `json:"deduplicate"`
}

// Split is the train/validation/test split: by ratio (seeded, optionally
// stratified), or, when Field is set, as each row's Field says ("train",
// "validation" or "test"; the ratios are then zero).
type Split struct {
	Field      string  `json:"field,omitempty"`
	Train      float64 `json:"train"`
	Validation float64 `json:"validation"`
	Test       float64 `json:"test"`
	Stratify   bool    `json:"stratify"`
	Seed       int64   `json:"seed"`
}

// Method is the fine-tuning method.
type Method string

// The fine-tuning methods.
const (
	MethodLoRA  Method = "lora"
	MethodQLoRA Method = "qlora"
)

// FineTune is a LoRA/QLoRA training job that ends with the edge export.
type FineTune struct {
	Name     string
	StepName string
	Data     string // Prepare.Name
	Output   string // Storage.Name
	// CheckpointURI is where the job checkpoints and resumes from.
	CheckpointURI string
	BaseModel     BaseModel
	Method        Method
	MaxSeqLength  int
	LoRA          LoRA
	Hyper         Hyperparameters
	QuantizeInt8  bool
	OOSLabel      string
	// OOSMaxInScopeDrop is the in-scope accuracy (a fraction, on validation)
	// the out-of-scope confidence threshold may cost.
	OOSMaxInScopeDrop float64
	Framework         Framework
	// Processes is the number of training processes: one per NVIDIA GPU
	// of each instance (at least one per instance). Above 1 the job runs
	// data-parallel through the Hugging Face container's torch_distributed
	// launcher (torchrun), global batch = BatchSize x Processes.
	Processes int
	Metrics   []MetricDefinition
	Compute   Compute
	Options   StepOptions
	Range     hcl.Range
}

// BaseModel is the pretrained model: a hub id pinned to a revision, or an
// S3 URI.
type BaseModel struct {
	HubID    string
	Revision string
	S3URI    string
	// Pooling is "mean" or "cls": what the classification head reads.
	Pooling string
}

// LoRA holds adapter settings.
type LoRA struct {
	R             int
	Alpha         int
	Dropout       float64
	TargetModules []string
}

// Hyperparameters are the optimiser settings.
type Hyperparameters struct {
	Epochs        int
	LearningRate  float64
	BatchSize     int
	EvalBatchSize int
	WarmupRatio   float64
	WeightDecay   float64
	Seed          int64
}

// Framework pins the training container.
type Framework struct {
	PyTorch      string
	Transformers string
	Python       string
	CUDA         string // the GPU image's CUDA tag, e.g. cu130
}

// MetricDefinition is a regex over the training log.
type MetricDefinition struct {
	Name  string
	Regex string
}

// Evaluate measures a model on the test split.
type Evaluate struct {
	Name     string
	StepName string
	Model    string // FineTune.Name
	Data     string // Prepare.Name
	Variant  string // "fp32" or "int8": which bundle is measured
	Compute  Compute
	Options  StepOptions
	Range    hcl.Range
}

// Comparison is how a threshold compares.
type Comparison string

// Threshold comparisons.
const (
	AtLeast Comparison = "GreaterThanOrEqualTo"
	AtMost  Comparison = "LessThanOrEqualTo"
)

// Gate is a quality gate over one evaluation.
type Gate struct {
	Name         string
	StepName     string // the Condition step
	FailStepName string
	Evaluation   string // Evaluate.Name
	Message      string
	Thresholds   []Threshold
	// Baseline, when a threshold is relative to the approved model, is the
	// processing step that reads that model's metrics from the registry.
	Baseline *Baseline
	Range    hcl.Range
}

// Baseline is a champion/challenger gate's registry read: `slm step
// baseline` writes baseline.json (found, bounds) for the gate's conditions.
type Baseline struct {
	StepName          string
	PropertyFile      string
	ModelPackageGroup string
	Compute           Compute
}

// Threshold bounds one metric of the evaluation report.
type Threshold struct {
	Metric   string
	JSONPath string
	Compare  Comparison
	Value    Value // number, possibly a parameter; the delta when VsApproved
	// VsApproved: the bound is the approved model's value plus Value
	// (read from the gate's Baseline at run time); with no approved model
	// yet the threshold passes.
	VsApproved   bool
	HigherBetter bool
}

// Register is a model package registration.
type Register struct {
	Name       string
	StepName   string
	Model      string // FineTune.Name
	Evaluation string // Evaluate.Name
	// Gates guard this registration: its own gates and those of the edge
	// targets that ship it, chained in name order.
	Gates             []string // Gate.Name
	ModelPackageGroup string
	// InferenceImage is the container the model package names for
	// SageMaker hosting.
	InferenceImage         string
	Approval               Value // "Approved" | "PendingManualApproval" | "Rejected", possibly a parameter
	Description            string
	InferenceInstanceTypes []string
	Options                StepOptions
	Range                  hcl.Range
}

// EdgeTarget is a device fleet receiving a registered model.
type EdgeTarget struct {
	Name     string
	Register string   // Register.Name
	Gates    []string // Gate.Name: the target's own gates
	// Guards are every gate the release passed: its registration's whole
	// chain (which includes Gates).
	Guards          []string
	ThingGroup      string
	Platforms       []Platform
	ComponentName   string
	Variant         string // "fp32" or "int8"
	Storage         string // Storage.Name of the edge bucket
	FailureHandling string // "ROLLBACK" | "DO_NOTHING"
	Rollout         Rollout
	// Canary, when set, is the first stage: its thing group receives the
	// release first, the fleet (ThingGroup) only after the canary's IoT
	// job succeeded.
	Canary  *Canary
	Runtime EdgeRuntime
	Range   hcl.Range
}

// Canary is the first stage of a staged edge rollout.
type Canary struct {
	ThingGroup string
	Rollout    Rollout
}

// Platform is a device OS and architecture.
type Platform struct {
	OS           string // "linux"
	Architecture string // Greengrass names: "amd64", "aarch64"
}

// Rollout is the IoT job configuration of a deployment.
type Rollout struct {
	BaseRatePerMinute         int
	IncrementFactor           float64
	SucceededThingsToIncrease int
	MaxPerMinute              int
	AbortFailurePercent       float64
	AbortMinExecutedThings    int
	AbortOn                   []string // IoT job failure types: FAILED, REJECTED, TIMED_OUT, ALL
	TimeoutMinutes            int
	ComponentUpdatePolicy     string // "NOTIFY_COMPONENTS" | "SKIP_NOTIFY_COMPONENTS"
	ConfigValidationTimeout   int    // seconds
}

// EdgeRuntime is slm-edge's configuration on the devices.
type EdgeRuntime struct {
	Listen   string
	Threads  int
	MaxBatch int
	Workers  int    // model runs at once (slm-edge --workers)
	MaxWait  string // Go duration, e.g. "5ms"
	MaxQueue int
	LogLevel string
}

// Monitoring is the alarms.
type Monitoring struct {
	NotifyEmails []string
	Alarms       []Alarm
}

// AlarmMetric is what an alarm watches.
type AlarmMetric string

// The alarm metrics slm knows how to wire.
const (
	AlarmPipelineFailed AlarmMetric = "pipeline_execution_failed"
	AlarmEdgeErrorRate  AlarmMetric = "edge_error_rate"
	AlarmEdgeLatencyP95 AlarmMetric = "edge_latency_p95_ms"
	// Drift of live traffic against the bundle's reference profile (runtime/drift):
	// population stability indexes, and the out-of-scope rate's change (a fraction).
	AlarmEdgeDriftConfidence AlarmMetric = "edge_drift_confidence_psi"
	AlarmEdgeDriftLabels     AlarmMetric = "edge_drift_label_psi"
	AlarmEdgeDriftTokens     AlarmMetric = "edge_drift_tokens_psi"
	AlarmEdgeOOSRateChange   AlarmMetric = "edge_oos_rate_change"
)

// EdgeDriftMetrics are the drift alarm metrics, in a stable order.
var EdgeDriftMetrics = []AlarmMetric{AlarmEdgeDriftConfidence, AlarmEdgeDriftLabels, AlarmEdgeDriftTokens, AlarmEdgeOOSRateChange}

// Alarm is one CloudWatch alarm.
type Alarm struct {
	Name              string
	Metric            AlarmMetric
	Threshold         float64
	PeriodSeconds     int
	EvaluationPeriods int
	EdgeTarget        string // for edge metrics; empty means every target
}

// StepKind is the SageMaker step type.
type StepKind string

// The SageMaker step types slm emits.
const (
	StepProcessing    StepKind = "Processing"
	StepTraining      StepKind = "Training"
	StepCondition     StepKind = "Condition"
	StepFail          StepKind = "Fail"
	StepRegisterModel StepKind = "RegisterModel"
)

// Step is a node of the step DAG.
type Step struct {
	Name string // SageMaker step name
	Kind StepKind
	// Block is the address of the block it came from, e.g. finetune.intent.
	Block string
	// DependsOn are the steps that must finish first (data and ordering
	// dependencies), sorted.
	DependsOn []string
}

// ID is a block name made safe for AWS names, step names and file names:
// an instance NAME["KEY"] of a for_each block becomes NAME-KEY; other names
// are unchanged.
func ID(name string) string {
	base, key, ok := strings.Cut(name, "[\"")
	if !ok {
		return name
	}
	return base + "-" + strings.TrimSuffix(key, "\"]")
}
