package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Value is a metric in SageMaker's model-quality layout. The standard
// deviation is always "NaN": one test pass gives no spread.
type Value struct {
	Value             float64 `json:"value"`
	StandardDeviation string  `json:"standard_deviation"`
}

// LatencyValue is a latency figure in milliseconds.
type LatencyValue struct {
	Value float64 `json:"value"`
}

// ClassificationMetrics is evaluation.json's multiclass_classification_metrics.
type ClassificationMetrics struct {
	Accuracy          Value `json:"accuracy"`
	MacroF1           Value `json:"macro_f1"`
	WeightedF1        Value `json:"weighted_f1"`
	WeightedPrecision Value `json:"weighted_precision"`
	WeightedRecall    Value `json:"weighted_recall"`
	MinPerClassF1     Value `json:"min_per_class_f1"`
	InScopeAccuracy   Value `json:"in_scope_accuracy"`
	// The out-of-scope metrics are left out when the test data has no
	// out-of-scope examples (or the model no out-of-scope label).
	OutOfScopeRecall    *Value                    `json:"out_of_scope_recall,omitempty"`
	OutOfScopePrecision *Value                    `json:"out_of_scope_precision,omitempty"`
	ConfusionMatrix     map[string]map[string]int `json:"confusion_matrix"`
}

// LatencyMetrics is evaluation.json's latency_metrics.
type LatencyMetrics struct {
	P50 LatencyValue `json:"p50_ms"`
	P95 LatencyValue `json:"p95_ms"`
}

// Evaluation is evaluation.json (SPEC.md section 4). Struct fields fix the
// key order and encoding/json sorts map keys, so two evaluations with the
// same predictions differ only in their latency figures.
type Evaluation struct {
	Classification ClassificationMetrics   `json:"multiclass_classification_metrics"`
	Latency        LatencyMetrics          `json:"latency_metrics"`
	PerClass       map[string]ClassMetrics `json:"per_class_metrics"`
	MostConfused   []Confusion             `json:"most_confused"`
	Examples       int                     `json:"examples"`
	ModelVersion   string                  `json:"model_version"`
}

func nan(v float64) Value { return Value{Value: v, StandardDeviation: "NaN"} }

// NewEvaluation lays metrics and per-example latencies (milliseconds) out as
// evaluation.json.
func NewEvaluation(m *Metrics, latenciesMs []float64, modelVersion string) *Evaluation {
	most := m.MostConfused
	if most == nil {
		most = []Confusion{} // an empty list, not null, for readers indexing it
	}
	ev := &Evaluation{
		Classification: ClassificationMetrics{
			Accuracy:          nan(m.Accuracy),
			MacroF1:           nan(m.MacroF1),
			WeightedF1:        nan(m.WeightedF1),
			WeightedPrecision: nan(m.WeightedPrecision),
			WeightedRecall:    nan(m.WeightedRecall),
			MinPerClassF1:     nan(m.MinPerClassF1),
			InScopeAccuracy:   nan(m.InScopeAccuracy),
			ConfusionMatrix:   m.Matrix,
		},
		Latency: LatencyMetrics{
			P50: LatencyValue{Value: percentile(latenciesMs, 0.50)},
			P95: LatencyValue{Value: percentile(latenciesMs, 0.95)},
		},
		PerClass:     m.PerClass,
		MostConfused: most,
		Examples:     m.Examples,
		ModelVersion: modelVersion,
	}
	if m.HasOutOfScope {
		r, p := nan(m.OutOfScopeRecall), nan(m.OutOfScopePrecision)
		ev.Classification.OutOfScopeRecall, ev.Classification.OutOfScopePrecision = &r, &p
	}
	return ev
}

// percentile is the nearest-rank percentile, rounded to microseconds.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return math.Round(s[i]*1000) / 1000
}

// MarshalIndent renders evaluation.json.
func (e *Evaluation) MarshalIndent() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("encoding evaluation.json: %w", err)
	}
	return b.Bytes(), nil
}
