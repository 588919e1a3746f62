// Package classifier runs a bundle's intent model with ONNX Runtime: it
// tokenises, pads a batch, runs one session, and turns logits into labels with
// softmax, top-k and the bundle's out-of-scope rule.
package classifier

import (
	"context"
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/slm-project/slm/runtime/answer"
	"github.com/slm-project/slm/runtime/bundle"
	"github.com/slm-project/slm/runtime/ortenv"
	"github.com/slm-project/slm/runtime/tokenizer"
)

// Options tune the session. The zero value is usable.
type Options struct {
	// ORTLibrary is the ONNX Runtime shared library; "" resolves it with
	// ortenv.Find("") ($SLM_ORT_LIB, then next to the binary).
	ORTLibrary string
	// IntraOpThreads is ONNX Runtime's intra-op thread count; 0 lets ORT choose.
	IntraOpThreads int
	// GraphOptimization is "all" (default), "extended", "basic" or "disabled".
	GraphOptimization string
	// TopK is how many labels each prediction lists; 0 means 5.
	TopK int
}

// LabelScore is a label and its softmax probability.
type LabelScore = answer.LabelScore

// Prediction is the answer for one text (runtime/answer defines its fields:
// Label, Confidence, OutOfScope, OutOfScopeReason, BestInScope, Threshold,
// TopK, Logits).
type Prediction = answer.Answer

// Classifier holds one ONNX Runtime session for one bundle. Classify is safe
// for concurrent use; Close must not race with it.
type Classifier struct {
	bundle  *bundle.Bundle
	tok     *tokenizer.Tokenizer
	session *ort.DynamicAdvancedSession
	inputs  []string
	rule    answer.Rule
	// batchIndependent: the model's logits for a text do not depend on its
	// batch companions (see Logits).
	batchIndependent bool
}

// Open loads and verifies the bundle in dir and creates its session.
func Open(ctx context.Context, dir string, opts Options) (*Classifier, error) {
	b, err := bundle.Load(ctx, dir)
	if err != nil {
		return nil, err
	}
	return New(ctx, b, opts)
}

// New creates the session for a loaded bundle and runs one warm-up inference,
// so a model whose inputs, outputs or label count disagree with the bundle is
// refused here rather than on the first request.
func New(ctx context.Context, b *bundle.Bundle, opts Options) (*Classifier, error) {
	lib := opts.ORTLibrary
	if lib == "" {
		var err error
		if lib, err = ortenv.Find(""); err != nil {
			return nil, err
		}
	}
	if err := ortenv.Init(lib); err != nil {
		return nil, err
	}
	so, err := sessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	// The tokenizer parses while ONNX Runtime builds the session: start-up
	// time is the device's time to ready.
	type loaded struct {
		tok *tokenizer.Tokenizer
		err error
	}
	tokCh := make(chan loaded, 1)
	go func() {
		tok, err := tokenizer.Load(b.TokenizerPath())
		tokCh <- loaded{tok, err}
	}()
	sess, err := ort.NewDynamicAdvancedSession(b.ModelPath(), b.Manifest.Inputs, []string{b.Manifest.Output}, so)
	tl := <-tokCh
	if err != nil {
		return nil, fmt.Errorf("model bundle %s: create ONNX Runtime session for %s (inputs %v, output %q): %w",
			b.Dir, bundle.ModelFile, b.Manifest.Inputs, b.Manifest.Output, err)
	}
	if tl.err != nil {
		_ = sess.Destroy()
		return nil, fmt.Errorf("model bundle %s: %w", b.Dir, tl.err)
	}
	tok := tl.tok.WithMaxLength(b.Manifest.MaxSeqLength)
	c := &Classifier{
		bundle:           b,
		tok:              tok,
		session:          sess,
		inputs:           b.Manifest.Inputs,
		batchIndependent: b.Manifest.BatchIndependent(),
		rule: answer.Rule{
			Labels:          b.Labels,
			OutOfScopeLabel: b.Manifest.OutOfScopeLabel,
			Threshold:       float32(b.Manifest.ConfidenceThreshold),
			TopK:            opts.TopK,
		},
	}
	if _, err := c.Classify(ctx, []string{"warm up"}); err != nil {
		_ = sess.Destroy()
		return nil, fmt.Errorf("model bundle %s: warm-up inference failed: %w", b.Dir, err)
	}
	return c, nil
}

func sessionOptions(opts Options) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("create session options: %w", err)
	}
	level := map[string]ort.GraphOptimizationLevel{
		"": ort.GraphOptimizationLevelEnableAll, "all": ort.GraphOptimizationLevelEnableAll,
		"extended": ort.GraphOptimizationLevelEnableExtended, "basic": ort.GraphOptimizationLevelEnableBasic,
		"disabled": ort.GraphOptimizationLevelDisableAll,
	}
	lvl, ok := level[opts.GraphOptimization]
	if !ok {
		so.Destroy()
		return nil, fmt.Errorf("graph optimisation %q: want all, extended, basic or disabled", opts.GraphOptimization)
	}
	if err := so.SetGraphOptimizationLevel(lvl); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("set graph optimisation: %w", err)
	}
	if opts.IntraOpThreads < 0 {
		so.Destroy()
		return nil, fmt.Errorf("intra-op threads %d: want 0 (ONNX Runtime's choice) or more", opts.IntraOpThreads)
	}
	if opts.IntraOpThreads > 0 {
		if err := so.SetIntraOpNumThreads(opts.IntraOpThreads); err != nil {
			so.Destroy()
			return nil, fmt.Errorf("set intra-op threads: %w", err)
		}
	}
	// One request at a time per session call: inter-op parallelism only adds threads.
	if err := so.SetInterOpNumThreads(1); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("set inter-op threads: %w", err)
	}
	return so, nil
}

// BatchIndependent reports whether the classifier runs texts as one padded
// batch (the model's answers do not depend on the batch) or one at a time.
func (c *Classifier) BatchIndependent() bool { return c.batchIndependent }

// Bundle is the loaded bundle.
func (c *Classifier) Bundle() *bundle.Bundle { return c.bundle }

// ModelVersion is the bundle's model_version.
func (c *Classifier) ModelVersion() string { return c.bundle.Manifest.ModelVersion }

// Tokenizer is the bundle's tokenizer, truncating to max_seq_length.
func (c *Classifier) Tokenizer() *tokenizer.Tokenizer { return c.tok }

// Classify tokenises texts and classifies them as one batch.
func (c *Classifier) Classify(ctx context.Context, texts []string) ([]Prediction, error) {
	encs := make([]tokenizer.Encoding, len(texts))
	for i, t := range texts {
		encs[i] = c.tok.Encode(t)
	}
	return c.ClassifyEncoded(ctx, encs)
}

// ClassifyEncoded classifies pre-tokenised texts as one batch, padded to the
// longest. The context's deadline or cancellation terminates the run.
func (c *Classifier) ClassifyEncoded(ctx context.Context, encs []tokenizer.Encoding) ([]Prediction, error) {
	if len(encs) == 0 {
		return nil, nil
	}
	logits, err := c.Logits(ctx, encs)
	if err != nil {
		return nil, err
	}
	n := len(c.bundle.Labels)
	preds := make([]Prediction, len(encs))
	for i := range preds {
		preds[i] = c.rule.Decide(logits[i*n : (i+1)*n : (i+1)*n])
	}
	return preds, nil
}

// Close releases the session.
func (c *Classifier) Close() error {
	if c.session == nil {
		return nil
	}
	err := c.session.Destroy()
	c.session = nil
	if err != nil {
		return fmt.Errorf("destroy session: %w", err)
	}
	return nil
}

// ErrClosed is returned by calls on a closed classifier.
var ErrClosed = errors.New("classifier is closed")
