package evaluate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/slm-project/slm/runtime/answer"
)

// Prediction is the model's answer for one text, the edge runtime's own
// (runtime/answer): Label is what the runtime would answer, the out-of-scope
// label when out of scope; Logits are indexed by class id.
type Prediction = answer.Answer

// Model is a loaded bundle as the evaluator needs it. stdlib/evaluate/edgemodel
// implements it with the edge runtime's classifier, so the gates measure the
// code that ships.
type Model interface {
	// Predict classifies one text.
	Predict(ctx context.Context, text string) (Prediction, error)
	ModelVersion() string
	OutOfScopeLabel() string
	// Labels are the classes the model can predict (labels.json).
	Labels() []string
	Close() error
}

// Opener loads the bundle in a directory.
type Opener func(ctx context.Context, bundleDir string) (Model, error)

// Options are the flags of `slm step evaluate` (SPEC.md section 2.3).
type Options struct {
	Model      string // bundle directory, model directory or model.tar.gz
	Test       string // test JSONL file or directory
	Output     string // directory for evaluation.json, report.md, confusion.svg
	BundleName string // the bundle inside a model directory; "" means "bundle"
	// Predictions, when set, is a JSONL file to write every example's
	// prediction to (text, label, predicted, the answer's fields, logits): for error
	// analysis, and for the smoke test's comparison with PyTorch.
	Predictions string
	Open        Opener
}

// Result is what Run wrote.
type Result struct {
	Evaluation *Evaluation
	Metrics    *Metrics
	BundleDir  string // where the bundle was loaded from (gone after Run for an archive)
}

// Run classifies every test example one at a time (the edge serves one
// request at a time, so that is the latency that matters), scores the
// predictions and writes the three outputs.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Open == nil {
		return nil, errors.New("evaluate: no model opener")
	}
	if o.BundleName == "" {
		o.BundleName = "bundle"
	}
	examples, err := ReadTestSet(o.Test)
	if err != nil {
		return nil, err
	}
	scratch, err := os.MkdirTemp("", "slm-evaluate-")
	if err != nil {
		return nil, fmt.Errorf("creating scratch directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(scratch) }()
	dir, err := ResolveBundle(ctx, o.Model, o.BundleName, scratch)
	if err != nil {
		return nil, err
	}
	model, err := o.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = model.Close() }()

	outcomes := make([]Outcome, len(examples))
	latencies := make([]float64, len(examples))
	var predictions bytes.Buffer
	enc := json.NewEncoder(&predictions)
	enc.SetEscapeHTML(false)
	for i, ex := range examples {
		start := time.Now()
		p, err := model.Predict(ctx, ex.Text)
		latencies[i] = float64(time.Since(start).Nanoseconds()) / 1e6
		if err != nil {
			return nil, fmt.Errorf("classifying test example %d: %w", i+1, err)
		}
		outcomes[i] = Outcome{Actual: ex.Label, Predicted: p.Label}
		if o.Predictions != "" {
			if err := enc.Encode(newPredictionLine(ex.Text, ex.Label, p)); err != nil {
				return nil, fmt.Errorf("encoding prediction %d: %w", i+1, err)
			}
		}
	}
	if o.Predictions != "" {
		if err := writeFileAtomic(o.Predictions, predictions.Bytes()); err != nil {
			return nil, err
		}
	}
	m := Compute(outcomes, model.OutOfScopeLabel())
	ev := NewEvaluation(m, latencies, model.ModelVersion())
	js, err := ev.MarshalIndent()
	if err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"evaluation.json", js},
		{"report.md", []byte(Report(ev, m, model.OutOfScopeLabel(), unknownLabels(examples, model)))},
		{"confusion.svg", []byte(ConfusionSVG(m))},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(o.Output, f.name), f.data); err != nil {
			return nil, err
		}
	}
	return &Result{Evaluation: ev, Metrics: m, BundleDir: dir}, nil
}

// unknownLabels lists, sorted, the test labels the model can never predict:
// neither one of its classes nor its out-of-scope label. Their examples all
// count as errors, which usually means the wrong test set or label mapping.
func unknownLabels(examples []Example, model Model) []string {
	known := map[string]bool{model.OutOfScopeLabel(): true}
	for _, l := range model.Labels() {
		known[l] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, ex := range examples {
		if !known[ex.Label] && !seen[ex.Label] {
			seen[ex.Label] = true
			out = append(out, ex.Label)
		}
	}
	sort.Strings(out)
	return out
}

// predictionLine is one line of the --predictions file: the text, its true
// label, and the runtime's answer under the same names as slm-edge's
// (runtime/answer), with "predicted" for the answer's label.
type predictionLine struct {
	Text             string              `json:"text"`
	Label            string              `json:"label"`
	Predicted        string              `json:"predicted"`
	Confidence       *float32            `json:"confidence"`
	OutOfScope       bool                `json:"out_of_scope"`
	OutOfScopeReason string              `json:"out_of_scope_reason,omitempty"`
	BestInScope      answer.LabelScore   `json:"best_in_scope"`
	Threshold        float32             `json:"threshold"`
	TopK             []answer.LabelScore `json:"top_k"`
	Logits           []float32           `json:"logits"`
}

func newPredictionLine(text, label string, p Prediction) predictionLine {
	return predictionLine{
		Text: text, Label: label, Predicted: p.Label, Confidence: p.Confidence, OutOfScope: p.OutOfScope,
		OutOfScopeReason: p.OutOfScopeReason, BestInScope: p.BestInScope, Threshold: p.Threshold,
		TopK: p.TopK, Logits: p.Logits,
	}
}

// writeFileAtomic writes through a temporary file and a rename, so a reader
// (a quality gate's PropertyFile) never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
