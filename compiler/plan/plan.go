// Package plan is the reviewable summary of what `slm apply` will do: the
// JSON plan is the contract (versioned by FormatVersion), and the text a
// person reads in a pull request is one rendering of it. Every item carries
// an action, set by comparing what the configuration compiles to with what
// is deployed (Compare, on values: no AWS here); without deployed state
// (offline) every item is a create.
package plan

import (
	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/cost"
)

// FormatVersion is the version of the JSON plan. Consumers should refuse a
// major version they do not know.
//
// 2.0: the plan records what it was computed against (State), the slm
// version, the pipeline item with its field-by-field changes (Pipeline),
// and uploads given by reference (source instead of path).
const FormatVersion = "2.0"

// Action is what applying the plan does to an item.
type Action string

// Plan actions, shown as symbols in the text plan.
const (
	Create  Action = "create"
	Update  Action = "update"
	Delete  Action = "delete"
	Replace Action = "replace"
	Read    Action = "read"
	NoOp    Action = "no-op"
)

// Plan is the whole plan.
type Plan struct {
	FormatVersion string `json:"format_version"`
	// SlmVersion is the slm that made the plan; apply refuses a plan made
	// by another version.
	SlmVersion   string `json:"slm_version"`
	Pipeline     string `json:"pipeline"`
	Environment  string `json:"environment"`
	Region       string `json:"region"`
	Account      string `json:"account,omitempty"`
	ConfigSHA256 string `json:"config_sha256"`
	// State is what the plan was computed against.
	State State `json:"state"`
	// Target is the SageMaker pipeline apply creates or updates.
	Target PipelineTarget `json:"sagemaker_pipeline"`
	// Lock is the S3 object apply holds while it runs (s3://bucket/key).
	Lock       string      `json:"lock"`
	Variables  []Variable  `json:"variables"`
	Parameters []Parameter `json:"parameters"`
	Steps      []Step      `json:"steps"`
	Gates      []Gate      `json:"gates"`
	// ReadAccess are the S3 locations outside the pipeline's storage the
	// execution role is granted read access to (project read_access).
	ReadAccess []string   `json:"read_access,omitempty"`
	Uploads    []Upload   `json:"uploads"`
	Resources  []Resource `json:"resources"`
	Artifacts  []Artifact `json:"artifacts"`
	// Cost is what one run and a month of the estate cost (compiler/cost).
	Cost *cost.Estimate `json:"cost,omitempty"`
	// Notes are things the reviewer should know that are not changes.
	Notes []string `json:"notes,omitempty"`
}

// State records the deployed state a plan was computed against, so apply
// can tell a stale plan: a digest per deployed object read.
type State struct {
	// Offline says AWS was not read: every item is a create against
	// nothing, and apply re-plans rather than trust it.
	Offline bool   `json:"offline"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// CallerARN is who read it.
	CallerARN string     `json:"caller_arn,omitempty"`
	Reads     []Observed `json:"reads"`
}

// Observed is one deployed object read while planning.
type Observed struct {
	// Kind is "sagemaker-pipeline", "s3-object", ...
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Exists is false when the object was absent.
	Exists bool `json:"exists"`
	// SHA256 is the digest of what was read (the definition, the object's
	// checksum); empty when absent.
	SHA256 string `json:"sha256,omitempty"`
}

// PipelineTarget is the SageMaker pipeline with its action and changes.
type PipelineTarget struct {
	Action  Action `json:"action"`
	Name    string `json:"name"`
	RoleARN string `json:"role_arn"`
	// Definition is the plan directory's file holding the definition.
	Definition       string `json:"definition"`
	DefinitionSHA256 string `json:"definition_sha256"`
	// DeployedSHA256 is the definition deployed now; empty when none.
	DeployedSHA256 string `json:"deployed_sha256,omitempty"`
	MaxParallel    int    `json:"max_parallel_steps,omitempty"`
	Description    string `json:"description,omitempty"`
	// Changes are the field-by-field differences from the deployed
	// definition, in definition order; empty for a create or a no-op.
	Changes []Change `json:"changes,omitempty"`
}

// Change is one changed field of the pipeline definition. Step is the
// step's Name, or "" for the pipeline's own fields (parameters, ...);
// Path names the field inside it (list items by their Name, hyperparameters
// decoded). Old or New is absent when the field is added or removed; a
// whole step added or removed has Path "".
type Change struct {
	Action Action  `json:"action"`
	Step   string  `json:"step,omitempty"`
	Path   string  `json:"path,omitempty"`
	Old    *string `json:"old,omitempty"`
	New    *string `json:"new,omitempty"`
}

// Variable is a compile-time variable with its provenance.
type Variable struct {
	Name     string   `json:"name"`
	Value    string   `json:"value"`
	Source   string   `json:"source"`
	Overrode []string `json:"overrode,omitempty"`
}

// Parameter is a run-time pipeline parameter.
type Parameter struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Default string   `json:"default,omitempty"`
	Enum    []string `json:"enum,omitempty"`
}

// Step is one pipeline step.
type Step struct {
	Action    Action   `json:"action"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Block     string   `json:"block"`
	DependsOn []string `json:"depends_on,omitempty"`
	// Details are short facts a reviewer checks: compute, method, outputs.
	Details []string `json:"details,omitempty"`
}

// Gate is a quality gate and its thresholds as written.
type Gate struct {
	Name       string   `json:"name"`
	Step       string   `json:"step"`
	Evaluation string   `json:"evaluation"`
	Thresholds []string `json:"thresholds"`
	Guards     []string `json:"guards"`
}

// Upload is a content-addressed code artifact.
type Upload struct {
	Action Action `json:"action"`
	artifact.Upload
}

// Resource is an AWS resource or edge object another backend declares.
type Resource struct {
	Action Action `json:"action"`
	Kind   string `json:"kind"` // "terraform", "greengrass-component", "greengrass-deployment"
	Type   string `json:"type"`
	Name   string `json:"name"`
	// Address is how the item is named in the text plan, e.g.
	// aws_s3_bucket.edge or "com.example.Model 1.2.3".
	Address string   `json:"address"`
	Details []string `json:"details,omitempty"`
}

// Artifact is a file the plan wrote under the output directory.
type Artifact struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}
