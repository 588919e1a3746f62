//go:build cgo

package edgemodel

import (
	"context"
	"fmt"

	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/stdlib/evaluate"
)

// Available reports whether this build can run models.
const Available = true

// model adapts a runtime classifier to evaluate.Model.
type model struct {
	c *classifier.Classifier
}

// Open loads and verifies the bundle in dir (manifest, digests, a warm-up
// inference) and returns it as an evaluate.Model.
func Open(ctx context.Context, dir string, o Options) (evaluate.Model, error) {
	c, err := classifier.Open(ctx, dir, classifier.Options{ORTLibrary: o.ORTLibrary, IntraOpThreads: o.IntraOpThreads, TopK: 5})
	if err != nil {
		return nil, fmt.Errorf("loading the model bundle with the edge runtime: %w", err)
	}
	return &model{c: c}, nil
}

func (m *model) Predict(ctx context.Context, text string) (evaluate.Prediction, error) {
	preds, err := m.c.Classify(ctx, []string{text})
	if err != nil {
		return evaluate.Prediction{}, err
	}
	return preds[0], nil
}

func (m *model) ModelVersion() string    { return m.c.ModelVersion() }
func (m *model) OutOfScopeLabel() string { return m.c.Bundle().Manifest.OutOfScopeLabel }
func (m *model) Labels() []string        { return m.c.Bundle().Labels }
func (m *model) Close() error            { return m.c.Close() }
