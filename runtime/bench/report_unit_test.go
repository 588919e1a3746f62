package bench

import (
	"strings"
	"testing"
)

// TestVerdict checks the side-by-side verdict on made-up rounds: slm-edge's best configuration is
// chosen by req/s at c=32, each figure is compared with Python's best server for it, and "beyond
// the spread" needs slm-edge's worst repeat to beat Python's best.
func TestVerdict(t *testing.T) {
	rounds := func(rps ...float64) []roundResult {
		rs := make([]roundResult, len(rps))
		for i, r := range rps {
			rs[i] = roundResult{rps: r, p50: 1000 / r, p99: 2000 / r}
		}
		return rs
	}
	servers := []*peerServer{
		{name: "slm-edge-1w", edgeWorkers: 1, readyMS: []float64{200, 210, 220}, peakKB: map[int]int{1: 90 << 10}},
		{name: "slm-edge-2w", edgeWorkers: 2, readyMS: []float64{200, 230, 240}, peakKB: map[int]int{1: 95 << 10}},
		{name: "python-1w", readyMS: []float64{900, 1000, 1100}, peakKB: map[int]int{1: 140 << 10}},
		{name: "python-2w", readyMS: []float64{1500, 1600, 1700}, peakKB: map[int]int{1: 180 << 10, 2: 180 << 10}},
	}
	results := map[string][]roundResult{
		"slm-edge-1w c=1": rounds(300, 310, 320), "slm-edge-1w c=8": rounds(400, 410, 420), "slm-edge-1w c=32": rounds(450, 460, 470),
		"slm-edge-2w c=1": rounds(290, 300, 340), "slm-edge-2w c=8": rounds(600, 664, 700), "slm-edge-2w c=32": rounds(700, 750, 800),
		"python-1w c=1": rounds(250, 280, 295), "python-1w c=8": rounds(380, 400, 420), "python-1w c=32": rounds(350, 360, 370),
		"python-2w c=1": rounds(20, 20, 20), "python-2w c=8": rounds(150, 150, 150), "python-2w c=32": rounds(380, 400, 410),
	}
	ceilings := map[int][]float64{1: {480, 500, 520}, 2: {900, 1000, 1100}}
	v := verdict(servers, results, ceilings, []float64{2.0, 2.1, 2.2}, []float64{2.4, 2.5, 2.6})
	for _, want := range []string{
		"best configuration (req/s at c=32): slm-edge-2w",
		"c=1: req/s 1.07x python-1w (NOT beyond the spread; per repeat 1.15x [1.07-1.16], ahead in 3/3)", // medians 300 vs 280, but 290 < 295; paired 290/250, 300/280, 340/295
		"c=8: req/s 1.66x python-1w (ahead beyond the spread;",
		"c=32: req/s 1.88x python-2w (ahead beyond the spread;",
		"peak RSS 95 MB against python-1w's 140 MB",
		"(ahead beyond the spread)\np50",
	} {
		if !strings.Contains(v.text, want) {
			t.Errorf("verdict lacks %q:\n%s", want, v.text)
		}
	}
	// Per repeat: 700/900, 750/1000, 800/1100; the median is 0.75.
	if v.rpsRatio < 1.87 || v.rpsRatio > 1.88 || v.ceilingShare != 0.75 {
		t.Errorf("rps ratio %v, ceiling share %v: want 750/400 and 0.75", v.rpsRatio, v.ceilingShare)
	}
	// slm-edge-1w's p50 at c=1 is 1000/300, 1000/310, 1000/320 ms against floors 2.0, 2.1, 2.2 ms.
	if want := 100 * (1000.0/310/2.1 - 1); v.overFloor < want-0.01 || v.overFloor > want+0.01 {
		t.Errorf("over the floor %.2f%%, want %.2f%%", v.overFloor, want)
	}
}
