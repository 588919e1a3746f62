package evaluate

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

func outcomes(pairs ...string) []Outcome {
	out := make([]Outcome, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Outcome{Actual: pairs[i], Predicted: pairs[i+1]})
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// TestComputeHandWorked checks every metric against values worked out by
// hand (fractions in the comments) on eight examples over a, b, c and oos.
func TestComputeHandWorked(t *testing.T) {
	m := Compute(outcomes(
		"a", "a", "a", "a", "a", "b",
		"b", "b", "b", "a",
		"c", "c",
		"oos", "oos", "oos", "a",
	), "oos")
	// Per label: a P 2/4 R 2/3 F1 4/7; b P 1/2 R 1/2 F1 1/2; c P 1 R 1 F1 1;
	// oos P 1/1 R 1/2 F1 2/3.
	wantClass := map[string]ClassMetrics{
		"a":   {Precision: 0.5, Recall: 2.0 / 3, F1: 4.0 / 7, Support: 3},
		"b":   {Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 2},
		"c":   {Precision: 1, Recall: 1, F1: 1, Support: 1},
		"oos": {Precision: 1, Recall: 0.5, F1: 2.0 / 3, Support: 2},
	}
	for l, want := range wantClass {
		got := m.PerClass[l]
		if !near(got.Precision, want.Precision) || !near(got.Recall, want.Recall) || !near(got.F1, want.F1) || got.Support != want.Support {
			t.Errorf("%s: %+v, want %+v", l, got, want)
		}
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"accuracy", m.Accuracy, 5.0 / 8},
		{"macro_f1", m.MacroF1, 115.0 / 168},                   // (4/7 + 1/2 + 1 + 2/3) / 4
		{"weighted_f1", m.WeightedF1, 53.0 / 84},               // (3·4/7 + 2·1/2 + 1 + 2·2/3) / 8
		{"weighted_precision", m.WeightedPrecision, 11.0 / 16}, // (3·1/2 + 2·1/2 + 1 + 2·1) / 8
		{"weighted_recall", m.WeightedRecall, 5.0 / 8},         // equals accuracy by definition
		{"min_per_class_f1", m.MinPerClassF1, 0.5},
		{"in_scope_accuracy", m.InScopeAccuracy, 4.0 / 6}, // a 2/3, b 1/2, c 1/1 right; oos rows left out
		{"out_of_scope_recall", m.OutOfScopeRecall, 0.5},
		{"out_of_scope_precision", m.OutOfScopePrecision, 1},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !m.HasOutOfScope || m.Examples != 8 {
		t.Errorf("HasOutOfScope %t examples %d, want true 8", m.HasOutOfScope, m.Examples)
	}
	wantConfused := []Confusion{{"a", "b", 1}, {"b", "a", 1}, {"oos", "a", 1}}
	if !reflect.DeepEqual(m.MostConfused, wantConfused) {
		t.Errorf("most confused %+v, want %+v", m.MostConfused, wantConfused)
	}
	if got := m.Matrix["oos"]; !reflect.DeepEqual(got, map[string]int{"a": 1, "b": 0, "c": 0, "oos": 1}) {
		t.Errorf("confusion row oos = %v", got)
	}
}

func TestComputeEdgeCases(t *testing.T) {
	tests := []struct {
		name                    string
		in                      []Outcome
		acc, macro, minF1, oosR float64
		inScope                 float64
		hasOOS                  bool
		confused                []Confusion
	}{
		{name: "empty", in: nil},
		{name: "all correct, no out-of-scope data", in: outcomes("a", "a", "b", "b"), acc: 1, macro: 1, minF1: 1, inScope: 1},
		{
			// The model answers oos for an in-scope text: oos is a label
			// (support 0, F1 0) in the macro average but not in min F1, and
			// the data has no oos so the oos metrics stay 0. a: P 1/1,
			// R 1/2, F1 2/3; b: F1 1.
			name: "predicted-only label", in: outcomes("a", "a", "a", "oos", "b", "b"),
			acc: 2.0 / 3, macro: (2.0/3 + 1 + 0) / 3, minF1: 2.0 / 3, inScope: 2.0 / 3,
			confused: []Confusion{{"a", "oos", 1}},
		},
		{name: "every out-of-scope text caught", in: outcomes("oos", "oos", "a", "a"), acc: 1, macro: 1, minF1: 1, oosR: 1, hasOOS: true, inScope: 1},
		{name: "only out-of-scope data", in: outcomes("oos", "oos", "oos", "a"), acc: 0.5, macro: 1.0 / 3, minF1: 2.0 / 3, oosR: 0.5, hasOOS: true},
		{
			// a→c twice, b→a, c→a: nothing right.
			name: "ties in confusion broken by label", in: outcomes("c", "a", "b", "a", "a", "c", "a", "c"),
			confused: []Confusion{{"a", "c", 2}, {"b", "a", 1}, {"c", "a", 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Compute(tt.in, "oos")
			if !near(m.Accuracy, tt.acc) || !near(m.MacroF1, tt.macro) || !near(m.OutOfScopeRecall, tt.oosR) || m.HasOutOfScope != tt.hasOOS {
				t.Errorf("accuracy %v macro %v oos recall %v has oos %t; want %v %v %v %t", m.Accuracy, m.MacroF1, m.OutOfScopeRecall, m.HasOutOfScope, tt.acc, tt.macro, tt.oosR, tt.hasOOS)
			}
			if !near(m.InScopeAccuracy, tt.inScope) {
				t.Errorf("in-scope accuracy %v, want %v", m.InScopeAccuracy, tt.inScope)
			}
			if len(tt.in) > 0 && tt.minF1 != 0 && !near(m.MinPerClassF1, tt.minF1) {
				t.Errorf("min per-class F1 %v, want %v", m.MinPerClassF1, tt.minF1)
			}
			if tt.confused != nil && !reflect.DeepEqual(m.MostConfused, tt.confused) {
				t.Errorf("most confused %+v, want %+v", m.MostConfused, tt.confused)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 10, 6, 7, 9, 8}
	tests := []struct {
		p    float64
		want float64
	}{{0.5, 5}, {0.95, 10}, {0.9, 9}, {0.1, 1}, {0, 1}, {1, 10}}
	for _, tt := range tests {
		if got := percentile(xs, tt.p); got != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %v, want 0", got)
	}
	if got := percentile([]float64{1.23456789}, 0.5); got != 1.235 {
		t.Errorf("rounding: %v, want 1.235", got)
	}
}

// BenchmarkCompute scores a CLINC150-sized test set (5,500 examples over 151
// labels) with one error in ten.
func BenchmarkCompute(b *testing.B) {
	labels := make([]string, 151)
	for i := range labels {
		labels[i] = fmt.Sprintf("intent_%03d", i)
	}
	in := make([]Outcome, 5500)
	for i := range in {
		in[i] = Outcome{Actual: labels[i%151], Predicted: labels[i%151]}
		if i%10 == 0 {
			in[i].Predicted = labels[(i*7)%151]
		}
	}
	b.ResetTimer()
	for range b.N {
		if m := Compute(in, "intent_150"); m.Examples != len(in) {
			b.Fatal("lost examples")
		}
	}
}
