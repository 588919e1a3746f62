package prepare

import "testing"

func TestQuotas(t *testing.T) {
	tests := []struct {
		n    int64
		f    [numSplits]float64
		want [numSplits]int64
	}{
		{10, [3]float64{0.8, 0.1, 0.1}, [3]int64{8, 1, 1}},
		{100, [3]float64{0.8, 0.1, 0.1}, [3]int64{80, 10, 10}},
		{3, [3]float64{0.8, 0.1, 0.1}, [3]int64{3, 0, 0}},   // remainders .4 .3 .3: train takes the one left
		{7, [3]float64{0.5, 0.25, 0.25}, [3]int64{3, 2, 2}}, // 3.5 1.75 1.75: the two .75 remainders beat train's .5
		{1, [3]float64{0, 0, 1}, [3]int64{0, 0, 1}},
		{5, [3]float64{0.6, 0, 0.4}, [3]int64{3, 0, 2}},
		{0, [3]float64{0.8, 0.1, 0.1}, [3]int64{0, 0, 0}},
	}
	for _, tt := range tests {
		if got := quotas(tt.n, tt.f); got != tt.want {
			t.Errorf("quotas(%d, %v) = %v, want %v", tt.n, tt.f, got, tt.want)
		}
	}
}

func TestGroupFillsQuotasExactly(t *testing.T) {
	f := [numSplits]float64{0.8, 0.1, 0.1}
	g := newGroup(42, "label", 1000, f)
	var got [numSplits]int64
	for range 1000 {
		s := g.next()
		if s < 0 {
			t.Fatal("group ran out before its row count")
		}
		got[s]++
	}
	if want := quotas(1000, f); got != want {
		t.Errorf("assigned %v, want %v", got, want)
	}
	if s := g.next(); s != -1 {
		t.Errorf("next() after the last row = %d, want -1", s)
	}
}

func TestGroupDependsOnSeedAndLabel(t *testing.T) {
	f := [numSplits]float64{0.5, 0.25, 0.25}
	seq := func(seed int64, label string) []int {
		g := newGroup(seed, label, 64, f)
		out := make([]int, 64)
		for i := range out {
			out[i] = g.next()
		}
		return out
	}
	equal := func(a, b []int) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if !equal(seq(1, "a"), seq(1, "a")) {
		t.Error("same seed and label gave different assignments")
	}
	if equal(seq(1, "a"), seq(2, "a")) {
		t.Error("different seeds gave the same assignment")
	}
	if equal(seq(1, "a"), seq(1, "b")) {
		t.Error("different labels gave the same assignment")
	}
}
