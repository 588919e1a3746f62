package drift

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPSI(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ref, live []int
		lo, hi    float64
	}{
		{"same distribution", []int{100, 200, 300}, []int{10, 20, 30}, 0, 0.01},
		{"empty bins stay finite", []int{100, 0, 0}, []int{0, 0, 100}, 5, 20},
		{"moderate shift", []int{50, 50}, []int{70, 30}, 0.05, 0.25},
		{"mismatched bins", []int{1, 2}, []int{1}, math.NaN(), math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PSI(tc.ref, tc.live)
			if math.IsNaN(tc.lo) {
				if !math.IsNaN(got) {
					t.Fatalf("PSI = %v, want NaN", got)
				}
				return
			}
			if got < tc.lo || got > tc.hi {
				t.Fatalf("PSI = %v, want in [%v, %v]", got, tc.lo, tc.hi)
			}
		})
	}
}

func TestBins(t *testing.T) {
	for _, tc := range []struct {
		conf          float32
		wantConf      int
		tokens, wantT int
	}{
		{0, 0, 0, 0}, {0.0999, 0, 5, 0}, {0.1, 1, 6, 1}, {0.55, 5, 13, 4}, {1, 9, 63, 9}, {1.5, 9, 64, 10}, {-1, 0, 500, 10},
	} {
		if got := confidenceBin(tc.conf); got != tc.wantConf {
			t.Errorf("confidenceBin(%v) = %d, want %d", tc.conf, got, tc.wantConf)
		}
		if got := tokenBin(tc.tokens); got != tc.wantT {
			t.Errorf("tokenBin(%d) = %d, want %d", tc.tokens, got, tc.wantT)
		}
	}
}

func reference() *Profile {
	b := NewBuilder("test")
	for i := range 1000 {
		label, oos := []string{"balance", "weather", "alarm", "oos"}[i%4], i%4 == 3
		b.Add(Observation{Label: label, Confidence: 0.9, OutOfScope: oos, Tokens: 10 + i%5})
	}
	p := b.Profile()
	return &p
}

// TestWindow: the window forgets what slid out, counts only what is in it,
// and shows drift when the traffic changes.
func TestWindow(t *testing.T) {
	ref := reference()
	if err := ref.Validate(); err != nil {
		t.Fatal(err)
	}
	w := NewWindow(ref, 100)
	if _, ok := w.Drift(); ok {
		t.Fatal("drift on an empty window")
	}
	for i := range 250 {
		w.Add(Observation{Label: []string{"balance", "weather", "alarm", "oos"}[i%4], Confidence: 0.9, OutOfScope: i%4 == 3, Tokens: 10 + i%5})
	}
	d, _ := w.Drift()
	if d.Texts != 100 || d.ConfidencePSI > 0.01 || d.LabelPSI > 0.05 || d.TokensPSI > 0.05 || math.Abs(d.OutOfScopeDelta) > 0.02 {
		t.Fatalf("in-distribution traffic: %+v", d)
	}
	// Other-domain text: unsure answers, out of scope, long.
	for range 100 {
		w.Add(Observation{Label: "oos", Confidence: 0.15, OutOfScope: true, Tokens: 50})
	}
	d, _ = w.Drift()
	if d.Texts != 100 || d.ConfidencePSI < 1 || d.LabelPSI < 1 || d.TokensPSI < 1 || d.OutOfScopeDelta < 0.7 {
		t.Fatalf("shifted traffic: %+v", d)
	}
	s := w.Stats()
	if s.Observed != 350 || s.Live.Examples != 100 || s.Live.Labels["oos"] != 100 || len(s.Live.Labels) != 1 || s.Live.Tokens[9] != 100 {
		t.Fatalf("stats %+v", s)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Fatal(err)
	}
	// Labels the reference never saw are counted, in their own bins.
	w.Add(Observation{Label: "new_intent", Confidence: 0.9, Tokens: 8})
	if s := w.Stats(); s.Live.Labels["new_intent"] != 1 {
		t.Fatalf("unknown label: %+v", s.Live.Labels)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := reference()
	write := func(p any) string {
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "profile.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	got, err := Load(write(good))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(good, got); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		name string
		edit func(p *Profile)
		says string
	}{
		{"other format", func(p *Profile) { p.FormatVersion = 2 }, "version 2"},
		{"counts disagree", func(p *Profile) { p.Confidence[0]++ }, "confidence has 10 bins counting 1001"},
		{"other token bins", func(p *Profile) { p.TokenBounds = []int{8, 16} }, "token_bounds [8 16]"},
		{"labels short", func(p *Profile) { delete(p.Labels, "oos") }, "labels count 750"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := reference()
			tc.edit(bad)
			if _, err := Load(write(bad)); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v, want %q", err, tc.says)
			}
		})
	}
}
