// Package plan is the reviewable summary of what `slm plan` will create: the
// JSON plan is the contract (versioned by FormatVersion), and the text a
// person reads in a pull request is one rendering of it. Every item carries
// an action so diffs against what is deployed fit the same model; without
// deployed state every item is a create.
package plan

import (
	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/cost"
)

// FormatVersion is the version of the JSON plan. Consumers should refuse a
// major version they do not know.
const FormatVersion = "1.0"

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
	FormatVersion string      `json:"format_version"`
	Pipeline      string      `json:"pipeline"`
	Environment   string      `json:"environment"`
	Region        string      `json:"region"`
	Account       string      `json:"account,omitempty"`
	ConfigSHA256  string      `json:"config_sha256"`
	Variables     []Variable  `json:"variables"`
	Parameters    []Parameter `json:"parameters"`
	Steps         []Step      `json:"steps"`
	Gates         []Gate      `json:"gates"`
	Uploads       []Upload    `json:"uploads"`
	Resources     []Resource  `json:"resources"`
	Artifacts     []Artifact  `json:"artifacts"`
	// Cost is what one run and a month of the estate cost (compiler/cost).
	Cost *cost.Estimate `json:"cost,omitempty"`
	// Notes are things the reviewer should know that are not changes.
	Notes []string `json:"notes,omitempty"`
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
