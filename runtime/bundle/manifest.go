// Package bundle loads and verifies a model bundle: the directory that the
// training step writes, the Greengrass model component carries and the edge
// runtime serves. The format is specified in runtime/README.md (SPEC.md §3).
package bundle

import (
	"fmt"
	"sort"
	"strings"
)

// Names and constants of the bundle format, version 1.
const (
	FormatName    = "slm-model-bundle"
	FormatVersion = 1
	ManifestFile  = "manifest.json"
	ModelFile     = "model.onnx"
	TokenizerFile = "tokenizer.json"
	LabelsFile    = "labels.json"
)

// Manifest is manifest.json, field for field.
type Manifest struct {
	Format              string   `json:"format"`
	FormatVersion       int      `json:"format_version"`
	ModelVersion        string   `json:"model_version"`
	BaseModel           string   `json:"base_model"`
	Precision           string   `json:"precision"`
	MaxSeqLength        int      `json:"max_seq_length"`
	OutOfScopeLabel     string   `json:"out_of_scope_label"`
	ConfidenceThreshold float64  `json:"confidence_threshold"`
	Inputs              []string `json:"inputs"`
	Output              string   `json:"output"`
	// Quantization says how an int8 model was quantised; absent for fp32.
	Quantization *Quantization     `json:"quantization,omitempty"`
	Files        map[string]string `json:"files"`
}

// Quantization is the manifest's record of how model.onnx was quantised
// (written by the training step, slm_train.export.quantize_int8).
type Quantization struct {
	// Method is "static" (activation scales fixed at export from calibration
	// data: a text's answer does not depend on its batch) or "dynamic"
	// (scales computed over each batch at run time: it does).
	Method      string       `json:"method"`
	Format      string       `json:"format"`   // "qdq" or "qoperator"
	OpTypes     []string     `json:"op_types"` // the ONNX operators quantised
	Weights     string       `json:"weights"`
	Activations string       `json:"activations"`
	Calibration *Calibration `json:"calibration,omitempty"` // static only
}

// Calibration is the data static quantisation fixed its scales on.
type Calibration struct {
	Split     string `json:"split"`    // the dataset split, "train"
	Examples  int    `json:"examples"` // texts run
	BatchSize int    `json:"batch_size"`
	Method    string `json:"method"` // "minmax", ...
}

// BatchIndependent reports whether a text's logits are the same alone and in
// any padded batch: true for fp32/fp16 and statically quantised models, false
// for dynamic int8 or an int8 model that does not say how it was quantised.
func (m *Manifest) BatchIndependent() bool {
	if m.Precision != "int8" {
		return true
	}
	return m.Quantization != nil && m.Quantization.Method == "static"
}

// knownInputs are the model inputs the runtime knows how to fill.
var knownInputs = map[string]bool{"input_ids": true, "attention_mask": true, "token_type_ids": true}

// precisions are the values manifest.precision may take.
var precisions = map[string]bool{"fp32": true, "fp16": true, "int8": true}

// Validate checks every field of the manifest and returns all problems at once,
// each naming the field, so a bad manifest is fixed in one pass.
func (m *Manifest) Validate() error {
	var probs []string
	add := func(format string, a ...any) { probs = append(probs, fmt.Sprintf(format, a...)) }
	if m.Format != FormatName {
		add("format is %q, want %q", m.Format, FormatName)
	}
	if m.FormatVersion != FormatVersion {
		add("format_version is %d, this runtime reads version %d", m.FormatVersion, FormatVersion)
	}
	if strings.TrimSpace(m.ModelVersion) == "" {
		add("model_version is empty")
	}
	if !precisions[m.Precision] {
		add("precision is %q, want one of fp32, fp16, int8", m.Precision)
	}
	if m.MaxSeqLength < 3 || m.MaxSeqLength > 8192 {
		add("max_seq_length is %d, want 3..8192 (room for [CLS], one token and [SEP])", m.MaxSeqLength)
	}
	if strings.TrimSpace(m.OutOfScopeLabel) == "" {
		add("out_of_scope_label is empty")
	}
	if m.ConfidenceThreshold < 0 || m.ConfidenceThreshold > 1 || m.ConfidenceThreshold != m.ConfidenceThreshold {
		add("confidence_threshold is %v, want a number in [0, 1]", m.ConfidenceThreshold)
	}
	seen := map[string]bool{}
	for _, in := range m.Inputs {
		if !knownInputs[in] {
			add("inputs: %q is not one of input_ids, attention_mask, token_type_ids", in)
		}
		if seen[in] {
			add("inputs: %q is listed twice", in)
		}
		seen[in] = true
	}
	if !seen["input_ids"] {
		add("inputs must include input_ids")
	}
	if m.Output == "" {
		add("output is empty (the name of the logits output)")
	}
	for _, required := range []string{ModelFile, TokenizerFile, LabelsFile} {
		if _, ok := m.Files[required]; !ok {
			add("files does not list %s", required)
		}
	}
	for _, name := range sortedKeys(m.Files) {
		if name == ManifestFile || name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
			add("files: %q is not a plain file name of the bundle", name)
		}
		if _, err := parseDigest(m.Files[name]); err != nil {
			add("files[%q]: %v", name, err)
		}
	}
	if q := m.Quantization; q != nil {
		if m.Precision != "int8" {
			add("quantization is given for a %s model; only int8 models are quantised", m.Precision)
		}
		switch q.Method {
		case "static":
			if q.Calibration == nil || q.Calibration.Examples < 1 {
				add("quantization.calibration: a static model must say what it was calibrated on (examples >= 1)")
			}
		case "dynamic":
			if q.Calibration != nil {
				add("quantization.calibration: a dynamic model is not calibrated")
			}
		default:
			add("quantization.method is %q, want static or dynamic", q.Method)
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("invalid manifest: %s", strings.Join(probs, "; "))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
