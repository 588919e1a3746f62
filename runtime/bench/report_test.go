package bench

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sideBySideTable is one model and thread setting's Markdown table: every server at every
// concurrency, median [min-max] over the repeats, then each server's start and memory, and the
// ceiling against which slm-edge's throughput at concurrency 32 is read.
func sideBySideTable(model string, threads, repeats int, round time.Duration, servers []*peerServer, concs []int,
	results map[string][]roundResult, ceilings map[int][]float64) string {
	var out strings.Builder
	fmt.Fprintf(&out, "\n%s, %d intra-op thread(s), %d repeats of %v, median [min-max]\n", model, threads, repeats, round)
	fmt.Fprintf(&out, "| server | c | req/s | p50 ms | p99 ms | CPU ms/req | texts per model run |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, s := range servers {
		for _, c := range concs {
			rs := results[fmt.Sprintf("%s c=%d", s.name, c)]
			batch := "-"
			if s.edgeWorkers > 0 {
				batch = spread(rs, func(r roundResult) float64 { return r.meanBatch })
			}
			fmt.Fprintf(&out, "| %s | %d | %s | %s | %s | %s | %s |\n", s.name, c,
				spread(rs, func(r roundResult) float64 { return r.rps }), spread(rs, func(r roundResult) float64 { return r.p50 }),
				spread(rs, func(r roundResult) float64 { return r.p99 }), spread(rs, func(r roundResult) float64 { return r.cpuMS }), batch)
		}
	}
	for _, s := range servers {
		fmt.Fprintf(&out, "%s: start to ready %s ms, peak RSS %.0f MB (all its processes)\n", s.name, spreadOf(s.readyMS), s.peakMB())
	}
	for _, w := range []int{1, 2} {
		edge := results[fmt.Sprintf("slm-edge-%dw c=32", w)]
		fmt.Fprintf(&out, "ceiling, %d worker(s), batches of %d: %s texts/s; slm-edge-%dw at c=32, measured just before: %s of it\n",
			w, maxBatch, spreadOf(ceilings[w]), w, percentSpread(ratios(edge, ceilings[w], func(r roundResult) float64 { return r.rps })))
	}
	return out.String()
}

type verdictResult struct {
	text         string
	rpsRatio     float64 // best slm-edge over best Python, req/s at c=32 (medians)
	overFloor    float64 // slm-edge-1w's p50 at c=1 over the floor's, in percent
	overBare     float64 // slm-edge-1w's p50 at c=1 over the bare HTTP handler's, in percent
	ceilingShare float64 // best slm-edge's req/s at c=32 over its ceiling (medians)
}

// verdict compares the best slm-edge configuration (by median req/s at concurrency 32; a device
// runs one configuration) with Python's best configuration for each figure: at each concurrency the
// Python server with the most req/s and the one with the lowest p99, the one with the least peak RSS,
// the one ready first. A figure is "ahead beyond the spread" when slm-edge's worst repeat beats
// Python's best repeat, which a machine whose speed drifts between repeats makes hard to meet; the
// paired figures divide the two servers' rounds of the same repeat, and "ahead in n/n" means in
// every repeat.
func verdict(servers []*peerServer, results map[string][]roundResult, ceilings map[int][]float64, floors, bares []float64) verdictResult {
	rps := func(r roundResult) float64 { return r.rps }
	p50 := func(r roundResult) float64 { return r.p50 }
	p99 := func(r roundResult) float64 { return r.p99 }
	var edge *peerServer
	var pys []*peerServer
	for _, s := range servers {
		if s.edgeWorkers == 0 {
			pys = append(pys, s)
		} else if edge == nil || median(results[s.name+" c=32"], rps) > median(results[edge.name+" c=32"], rps) {
			edge = s
		}
	}
	pick := func(c int, better func(a, b []roundResult) bool) *peerServer {
		top := pys[0]
		for _, s := range pys[1:] {
			if better(results[fmt.Sprintf("%s c=%d", s.name, c)], results[fmt.Sprintf("%s c=%d", top.name, c)]) {
				top = s
			}
		}
		return top
	}
	var out strings.Builder
	fmt.Fprintf(&out, "slm-edge's best configuration (req/s at c=32): %s; against Python's best for each figure:\n", edge.name)
	for _, c := range []int{1, 8, 32} {
		e := results[fmt.Sprintf("%s c=%d", edge.name, c)]
		byRPS := pick(c, func(a, b []roundResult) bool { return median(a, rps) > median(b, rps) })
		byP99 := pick(c, func(a, b []roundResult) bool { return median(a, p99) < median(b, p99) })
		pr, pp := results[fmt.Sprintf("%s c=%d", byRPS.name, c)], results[fmt.Sprintf("%s c=%d", byP99.name, c)]
		rpsPaired, p99Paired := paired(e, pr, rps), paired(pp, e, p99)
		fmt.Fprintf(&out, "  c=%d: req/s %.2fx %s (%s; per repeat %s, ahead in %s),\n        p99 %.2fx lower than %s (%s; per repeat %s, ahead in %s)\n", c,
			median(e, rps)/median(pr, rps), byRPS.name, beyond(minOf(e, rps) > maxOf(pr, rps)), ratioSpread(rpsPaired), aheadIn(rpsPaired),
			median(pp, p99)/median(e, p99), byP99.name, beyond(maxOf(e, p99) < minOf(pp, p99)), ratioSpread(p99Paired), aheadIn(p99Paired))
	}
	lightest, first := pys[0], pys[0]
	for _, s := range pys[1:] {
		if s.peakMB() < lightest.peakMB() {
			lightest = s
		}
		if medianOf(s.readyMS) < medianOf(first.readyMS) {
			first = s
		}
	}
	fmt.Fprintf(&out, "  peak RSS %.0f MB against %s's %.0f MB; start to ready %s ms against %s's %s ms (%s)\n",
		edge.peakMB(), lightest.name, lightest.peakMB(), spreadOf(edge.readyMS), first.name, spreadOf(first.readyMS),
		beyond(maxFloat(edge.readyMS) < minFloat(first.readyMS)))
	e1 := results["slm-edge-1w c=1"]
	overFloor, overBare := ratios(e1, floors, p50), ratios(e1, bares, p50)
	bareOverFloor := make([]float64, len(bares))
	for i := range bares {
		bareOverFloor[i] = bares[i] / floors[i]
	}
	fmt.Fprintf(&out, "p50 at batch 1 (c=1), each against the measurement just after it: slm-edge-1w %s ms;\n"+
		"  raw Run back to back (the floor) %s ms: slm-edge %s of it;\n"+
		"  a bare Go HTTP handler around the same Run %s ms: slm-edge %s of it, it %s of the floor\n",
		spread(e1, p50), spreadOf(floors), percentSpread(overFloor), spreadOf(bares), percentSpread(overBare), percentSpread(bareOverFloor))
	w := edge.edgeWorkers
	e32 := median(results[edge.name+" c=32"], rps)
	p32 := median(results[pick(32, func(a, b []roundResult) bool { return median(a, rps) > median(b, rps) }).name+" c=32"], rps)
	return verdictResult{text: out.String(), rpsRatio: e32 / p32, ceilingShare: medianOf(ratios(results[edge.name+" c=32"], ceilings[w], rps)),
		overFloor: 100 * (medianOf(overFloor) - 1), overBare: 100 * (medianOf(overBare) - 1)}
}

// paired divides a's figure by b's in each repeat (the servers ran within a minute of each other).
func paired(a, b []roundResult, f func(roundResult) float64) []float64 {
	out := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		out = append(out, f(a[i])/f(b[i]))
	}
	return out
}

func ratioSpread(v []float64) string {
	return fmt.Sprintf("%.2fx [%.2f-%.2f]", medianOf(v), minFloat(v), maxFloat(v))
}

// aheadIn counts the repeats whose ratio is above 1.
func aheadIn(v []float64) string {
	n := 0
	for _, x := range v {
		if x > 1 {
			n++
		}
	}
	return fmt.Sprintf("%d/%d", n, len(v))
}

// ratios divides each repeat's figure by the reference measured in the same repeat.
func ratios(rs []roundResult, refs []float64, f func(roundResult) float64) []float64 {
	out := make([]float64, 0, len(rs))
	for i, r := range rs {
		if i < len(refs) && refs[i] > 0 {
			out = append(out, f(r)/refs[i])
		}
	}
	return out
}

// percentSpread prints ratios as a median percentage and its min-max.
func percentSpread(v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%% [%.1f-%.1f%%]", 100*medianOf(v), 100*minFloat(v), 100*maxFloat(v))
}

func maxFloat(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

func minFloat(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func beyond(ok bool) string {
	if ok {
		return "ahead beyond the spread"
	}
	return "NOT beyond the spread"
}

func minOf(rs []roundResult, f func(roundResult) float64) float64 {
	m := math.Inf(1)
	for _, r := range rs {
		m = math.Min(m, f(r))
	}
	return m
}

func maxOf(rs []roundResult, f func(roundResult) float64) float64 {
	m := math.Inf(-1)
	for _, r := range rs {
		m = math.Max(m, f(r))
	}
	return m
}

func asResults(v []float64) []roundResult {
	rs := make([]roundResult, len(v))
	for i, x := range v {
		rs[i] = roundResult{rps: x}
	}
	return rs
}

func medianOf(v []float64) float64 {
	return median(asResults(v), func(r roundResult) float64 { return r.rps })
}

func spreadOf(v []float64) string {
	return spread(asResults(v), func(r roundResult) float64 { return r.rps })
}

// batchCounters reads slm-edge's batch-size histogram sum and count from /metrics.
func batchCounters(client *http.Client, addr string) (sum, count float64) {
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "slm_edge_batch_size_sum":
			sum, _ = strconv.ParseFloat(value, 64)
		case "slm_edge_batch_size_count":
			count, _ = strconv.ParseFloat(value, 64)
		}
	}
	return sum, count
}
