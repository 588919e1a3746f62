package answer

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// logitsFor returns logits whose softmax is probs.
func logitsFor(probs ...float64) []float32 {
	out := make([]float32, len(probs))
	for i, p := range probs {
		out[i] = float32(math.Log(p))
	}
	return out
}

func f(v float32) *float32 { return &v }

func TestDecide(t *testing.T) {
	withOOS := Rule{Labels: []string{"balance", "oos", "weather"}, OutOfScopeLabel: "oos", Threshold: 0.5, TopK: 2}
	noOOS := Rule{Labels: []string{"balance", "weather"}, OutOfScopeLabel: "unknown", Threshold: 0.7, TopK: 5}
	for _, tc := range []struct {
		name   string
		rule   Rule
		logits []float32
		want   Answer
	}{
		{
			name: "in scope", rule: withOOS, logits: logitsFor(0.8, 0.15, 0.05),
			want: Answer{Label: "balance", Confidence: f(0.8), BestInScope: LabelScore{"balance", 0.8}, Threshold: 0.5,
				TopK: []LabelScore{{"balance", 0.8}, {"oos", 0.15}}},
		},
		{
			name: "the out-of-scope class wins", rule: withOOS, logits: logitsFor(0.3, 0.6, 0.1),
			want: Answer{Label: "oos", Confidence: f(0.6), OutOfScope: true, OutOfScopeReason: ReasonOutOfScopeClass,
				BestInScope: LabelScore{"balance", 0.3}, Threshold: 0.5, TopK: []LabelScore{{"oos", 0.6}, {"balance", 0.3}}},
		},
		{
			// The label is oos and its confidence is oos's own probability,
			// not the best in-scope class's (the old "score").
			name: "best in-scope class under the threshold", rule: withOOS, logits: logitsFor(0.45, 0.2, 0.35),
			want: Answer{Label: "oos", Confidence: f(0.2), OutOfScope: true, OutOfScopeReason: ReasonBelowThreshold,
				BestInScope: LabelScore{"balance", 0.45}, Threshold: 0.5, TopK: []LabelScore{{"balance", 0.45}, {"weather", 0.35}}},
		},
		{
			name: "no out-of-scope class: no confidence to give", rule: noOOS, logits: logitsFor(0.4, 0.6),
			want: Answer{Label: "unknown", OutOfScope: true, OutOfScopeReason: ReasonBelowThreshold,
				BestInScope: LabelScore{"weather", 0.6}, Threshold: 0.7, TopK: []LabelScore{{"weather", 0.6}, {"balance", 0.4}}},
		},
		{
			name: "exactly at the threshold is in scope", rule: noOOS, logits: logitsFor(0.3, 0.7),
			want: Answer{Label: "weather", Confidence: f(0.7), BestInScope: LabelScore{"weather", 0.7}, Threshold: 0.7,
				TopK: []LabelScore{{"weather", 0.7}, {"balance", 0.3}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rule.Decide(tc.logits)
			tc.want.Logits = tc.logits
			if d := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-6)); d != "" {
				t.Errorf("Decide (-want +got):\n%s", d)
			}
		})
	}
}

// TestJSONNames pins the field names clients read.
func TestJSONNames(t *testing.T) {
	a := Rule{Labels: []string{"a", "oos"}, OutOfScopeLabel: "oos", Threshold: 0.9, TopK: 1}.Decide(logitsFor(0.6, 0.4))
	a.Logits = nil
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"label": "oos", "confidence": 0.4, "out_of_scope": true, "out_of_scope_reason": "below_threshold",
		"best_in_scope": map[string]any{"label": "a", "score": 0.6}, "threshold": 0.9,
		"top_k": []any{map[string]any{"label": "a", "score": 0.6}},
	}
	if d := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-6)); d != "" {
		t.Errorf("JSON (-want +got):\n%s\n%s", d, data)
	}
}

func TestSoftmax(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logits []float32
		want   []float32
	}{
		{"uniform", []float32{1, 1}, []float32{0.5, 0.5}},
		{"large values stay finite", []float32{1000, 1000, 1000, 1000}, []float32{0.25, 0.25, 0.25, 0.25}},
		{"dominant", []float32{0, 100}, []float32{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, Softmax(tc.logits), cmpopts.EquateApprox(0, 1e-6)); d != "" {
				t.Error(d)
			}
		})
	}
}
