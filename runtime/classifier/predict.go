package classifier

import (
	"math"
	"sort"
)

// predict turns one row of logits into a prediction.
func (c *Classifier) predict(logits []float32) Prediction {
	probs := Softmax(logits)
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	labels := c.bundle.Labels
	top := order[0]
	p := Prediction{
		Label:  labels[top],
		Score:  probs[top],
		TopK:   make([]LabelScore, c.topK),
		Logits: append([]float32(nil), logits...),
	}
	for i := range p.TopK {
		p.TopK[i] = LabelScore{Label: labels[order[i]], Score: probs[order[i]]}
	}
	oos := c.bundle.Manifest.OutOfScopeLabel
	if p.Label == oos || p.Score < c.threshold {
		p.OutOfScope = true
		p.Label = oos
	}
	return p
}

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
