// Package evaluate implements the pipeline's evaluate step: it classifies a
// test set with the edge runtime's own inference code and writes the metrics
// the quality gates read (evaluation.json, SPEC.md section 4), a Markdown
// report and a confusion heat map.
//
// This package holds no cgo: the model is reached through the Model
// interface, which stdlib/evaluate/edgemodel implements with ONNX Runtime.
package evaluate

import (
	"math"
	"sort"
)

// Outcome is one classified test example.
type Outcome struct {
	Actual, Predicted string
}

// ClassMetrics are one label's scores. Support is the number of test
// examples whose actual label it is.
type ClassMetrics struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// Confusion is one off-diagonal cell of the confusion matrix.
type Confusion struct {
	Actual    string `json:"actual"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// Metrics are the scores of a set of outcomes.
type Metrics struct {
	Examples          int
	Accuracy          float64
	MacroF1           float64
	WeightedF1        float64
	WeightedPrecision float64
	WeightedRecall    float64
	// MinPerClassF1 is the lowest F1 among labels present in the test data
	// (support > 0): a label that is only ever predicted has no recall to
	// speak of and would pin the gate at 0.
	MinPerClassF1 float64
	// HasOutOfScope is true when the test data holds the out-of-scope label;
	// the two scores below are 0 otherwise.
	HasOutOfScope bool
	// InScopeAccuracy is the accuracy over the examples whose actual label is
	// not the out-of-scope label (all of them when the data has none): the
	// figure intent-detection papers report beside out-of-scope recall. An
	// in-scope example rejected as out of scope counts as an error.
	InScopeAccuracy     float64
	OutOfScopeRecall    float64
	OutOfScopePrecision float64
	Labels              []string // sorted: every actual and predicted label
	PerClass            map[string]ClassMetrics
	Matrix              map[string]map[string]int // actual -> predicted -> count
	MostConfused        []Confusion               // largest off-diagonal cells first
}

// maxConfused is how many confused pairs the report lists.
const maxConfused = 10

// Compute scores outcomes the way scikit-learn's classification_report does:
// the label set is the union of actual and predicted labels, a precision or
// recall with a zero denominator is 0, the macro average weighs every label
// equally and the weighted average weighs each by its support. oos is the
// model's out-of-scope label.
func Compute(outcomes []Outcome, oos string) *Metrics {
	m := &Metrics{Examples: len(outcomes), PerClass: map[string]ClassMetrics{}, Matrix: map[string]map[string]int{}}
	actual, predicted, correct := map[string]int{}, map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	hits, inScope, inScopeHits := 0, 0, 0
	for _, o := range outcomes {
		actual[o.Actual]++
		predicted[o.Predicted]++
		seen[o.Actual], seen[o.Predicted] = true, true
		if o.Actual != oos {
			inScope++
		}
		if o.Actual == o.Predicted {
			correct[o.Actual]++
			hits++
			if o.Actual != oos {
				inScopeHits++
			}
		}
	}
	for l := range seen {
		m.Labels = append(m.Labels, l)
	}
	sort.Strings(m.Labels)
	for _, a := range m.Labels {
		row := make(map[string]int, len(m.Labels))
		for _, p := range m.Labels {
			row[p] = 0
		}
		m.Matrix[a] = row
	}
	for _, o := range outcomes {
		m.Matrix[o.Actual][o.Predicted]++
	}
	if len(outcomes) == 0 {
		return m
	}
	m.Accuracy = float64(hits) / float64(len(outcomes))
	m.InScopeAccuracy = ratio(inScopeHits, inScope)
	m.MinPerClassF1 = math.Inf(1)
	for _, l := range m.Labels {
		c := ClassMetrics{
			Precision: ratio(correct[l], predicted[l]),
			Recall:    ratio(correct[l], actual[l]),
			Support:   actual[l],
		}
		if c.Precision+c.Recall > 0 {
			c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
		}
		m.PerClass[l] = c
		m.MacroF1 += c.F1
		w := float64(c.Support) / float64(len(outcomes))
		m.WeightedF1 += w * c.F1
		m.WeightedPrecision += w * c.Precision
		m.WeightedRecall += w * c.Recall
		if c.Support > 0 {
			m.MinPerClassF1 = math.Min(m.MinPerClassF1, c.F1)
		}
	}
	m.MacroF1 /= float64(len(m.Labels))
	if actual[oos] > 0 {
		m.HasOutOfScope = true
		m.OutOfScopeRecall = m.PerClass[oos].Recall
		m.OutOfScopePrecision = m.PerClass[oos].Precision
	}
	for _, a := range m.Labels {
		for _, p := range m.Labels {
			if n := m.Matrix[a][p]; a != p && n > 0 {
				m.MostConfused = append(m.MostConfused, Confusion{Actual: a, Predicted: p, Count: n})
			}
		}
	}
	sort.SliceStable(m.MostConfused, func(i, j int) bool { return m.MostConfused[i].Count > m.MostConfused[j].Count })
	if len(m.MostConfused) > maxConfused {
		m.MostConfused = m.MostConfused[:maxConfused]
	}
	return m
}

func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}
