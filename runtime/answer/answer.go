// Package answer defines what slm-edge answers for one text, in one place:
// the `classify` command, the HTTP API and `slm step evaluate`'s predictions
// all carry this struct, so a client reads the same fields everywhere. It is
// pure Go (no cgo), so the evaluator can use it without ONNX Runtime.
//
// The fields are named so they cannot be misread: Confidence is the returned
// label's own probability, BestInScope is the best candidate that is not the
// out-of-scope class (what the threshold is compared with), and Threshold is
// the bundle's confidence_threshold.
package answer

import (
	"math"
	"sort"
)

// LabelScore is a label and its softmax probability.
type LabelScore struct {
	Label string  `json:"label"`
	Score float32 `json:"score"`
}

// Reasons a prediction is out of scope.
const (
	// ReasonOutOfScopeClass: the model's most probable class is the
	// out-of-scope label itself.
	ReasonOutOfScopeClass = "out_of_scope_class"
	// ReasonBelowThreshold: the best in-scope candidate's probability is
	// under the bundle's confidence_threshold.
	ReasonBelowThreshold = "below_threshold"
)

// Answer is the answer for one text.
type Answer struct {
	// Label is the answer: the bundle's out_of_scope_label when OutOfScope,
	// else the most probable class.
	Label string `json:"label"`
	// Confidence is the softmax probability the model gives Label. It is nil
	// (JSON null) when the answer is out of scope by the threshold and the
	// model has no out-of-scope class to give a probability for.
	Confidence *float32 `json:"confidence"`
	// OutOfScope is true when Label is the out-of-scope label.
	OutOfScope bool `json:"out_of_scope"`
	// OutOfScopeReason says why ("out_of_scope_class" or "below_threshold");
	// absent when in scope.
	OutOfScopeReason string `json:"out_of_scope_reason,omitempty"`
	// BestInScope is the most probable class other than the out-of-scope
	// label, whether or not it was chosen: the candidate the threshold is
	// compared with.
	BestInScope LabelScore `json:"best_in_scope"`
	// Threshold is the bundle's confidence_threshold: BestInScope.Score under
	// it makes the answer out of scope.
	Threshold float32 `json:"threshold"`
	// TopK are the most probable classes, best first (ties by class id), the
	// out-of-scope class included when the model has one.
	TopK []LabelScore `json:"top_k"`
	// Logits are the model's raw outputs, indexed by class id; left out of
	// the API's answers.
	Logits []float32 `json:"logits,omitempty"`
}

// Rule is how logits become an answer: the bundle's labels, out-of-scope
// label and threshold, and how many classes TopK lists.
type Rule struct {
	Labels          []string
	OutOfScopeLabel string
	Threshold       float32
	TopK            int // at most len(Labels); 0 or less means 5
}

// Decide turns one row of logits (indexed like Labels) into an answer. The
// answer is out of scope when the most probable class is the out-of-scope
// label, or when the best in-scope candidate scores under the threshold.
func (r Rule) Decide(logits []float32) Answer {
	probs := Softmax(logits)
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	k := r.TopK
	if k <= 0 {
		k = 5
	}
	k = min(k, len(order))
	a := Answer{
		Threshold: r.Threshold,
		TopK:      make([]LabelScore, k),
		Logits:    append([]float32(nil), logits...),
	}
	for i := range a.TopK {
		a.TopK[i] = LabelScore{Label: r.Labels[order[i]], Score: probs[order[i]]}
	}
	oosID := -1
	best := -1
	for _, id := range order {
		if r.Labels[id] == r.OutOfScopeLabel {
			oosID = id
		} else if best < 0 {
			best = id
		}
	}
	if best >= 0 {
		a.BestInScope = LabelScore{Label: r.Labels[best], Score: probs[best]}
	}
	top := order[0]
	switch {
	case top == oosID:
		a.OutOfScopeReason = ReasonOutOfScopeClass
	case best < 0 || probs[best] < r.Threshold:
		a.OutOfScopeReason = ReasonBelowThreshold
	}
	if a.OutOfScopeReason == "" {
		a.Label = r.Labels[top]
		a.Confidence = ptr(probs[top])
		return a
	}
	a.OutOfScope = true
	a.Label = r.OutOfScopeLabel
	if oosID >= 0 {
		a.Confidence = ptr(probs[oosID])
	}
	return a
}

func ptr(v float32) *float32 { return &v }

// Softmax is a numerically stable softmax, computed in float64.
func Softmax(logits []float32) []float32 {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	sum := 0.0
	exp := make([]float64, len(logits))
	for i, v := range logits {
		exp[i] = math.Exp(float64(v) - m)
		sum += exp[i]
	}
	out := make([]float32, len(logits))
	for i := range exp {
		out[i] = float32(exp[i] / sum)
	}
	return out
}
