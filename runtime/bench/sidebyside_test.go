package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/testenv"
)

// BenchmarkLatency compares, at batch 1 and one request at a time, four
// ways of classifying the same CLINC150 utterance, interleaved request by
// request so that a busy machine slows all of them alike:
//   - e2e: slm-edge end to end (HTTP, JSON, tokeniser, batcher, ORT, softmax);
//   - lib: the Go API in process (classifier.Classify: tokeniser, ORT, softmax, top-k);
//   - floor: raw onnxruntime_go Run on pre-tokenised input;
//   - python: Python onnxruntime + tokenizers (scripts/edge/bench_python.py --serve),
//     timed inside Python (tokenise + run + softmax).
//
// It reports p50/p99 of each, the e2e and lib overheads over the floor at
// p50, and the batch-1 throughput of e2e and of lib over Python's (the ratio
// of mean latencies; Python is timed in process, so lib is its like).
func BenchmarkLatency(b *testing.B) {
	texts := testenv.CLINC150(b)
	for _, m := range models {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", m.name, threads), func(b *testing.B) {
				s := newStack(b, m.bundle, threads, 1, 0)
				floor := newCeiling(b, m.bundle, threads, 1)
				py := newPython(b, m.bundle, threads)
				lib, err := classifier.Open(context.Background(), testenv.Bundle(b, m.bundle),
					classifier.Options{ORTLibrary: testenv.ORTLib(b), IntraOpThreads: threads})
				if err != nil {
					b.Fatal(err)
				}
				defer lib.Close()
				var e2e, libl, raw, pyl []time.Duration
				b.ResetTimer()
				for i := range b.N {
					text := texts[i%len(texts)]
					// Rotate the order so that none is always first after a pause.
					for k := range 4 {
						switch (i + k) % 4 {
						case 0:
							start := time.Now()
							if err := s.classify(text); err != nil {
								b.Fatal(err)
							}
							e2e = append(e2e, time.Since(start))
						case 1:
							raw = append(raw, floor.run(b, text))
						case 2:
							pyl = append(pyl, py.time(b, text))
						case 3:
							start := time.Now()
							if _, err := lib.Classify(context.Background(), []string{text}); err != nil {
								b.Fatal(err)
							}
							libl = append(libl, time.Since(start))
						}
					}
				}
				b.StopTimer()
				e2eP50 := report(b, "e2e", e2e)
				libP50 := report(b, "lib", libl)
				floorP50 := report(b, "floor", raw)
				report(b, "python", pyl)
				b.ReportMetric((e2eP50/floorP50-1)*100, "e2e_over_floor_%")
				b.ReportMetric((libP50/floorP50-1)*100, "lib_over_floor_%")
				b.ReportMetric(mean(pyl)/mean(e2e), "e2e_x_python")
				b.ReportMetric(mean(pyl)/mean(libl), "lib_x_python")
			})
		}
	}
}

func report(b *testing.B, name string, samples []time.Duration) float64 {
	p50, p99 := percentiles(samples)
	b.ReportMetric(p50, name+"_p50_ms")
	b.ReportMetric(p99, name+"_p99_ms")
	return p50
}

func mean(samples []time.Duration) float64 {
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	return float64(sum) / float64(len(samples))
}

// python is a running bench_python.py --serve.
type python struct {
	in  io.WriteCloser
	out *bufio.Scanner
}

func newPython(b *testing.B, name string, threads int) *python {
	b.Helper()
	root := testenv.RepoRoot(b)
	cmd := exec.Command(filepath.Join(root, ".venv", "bin", "python"), filepath.Join(root, "scripts", "edge", "bench_python.py"),
		"--bundle", testenv.Bundle(b, name), "--threads", strconv.Itoa(threads), "--serve")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("python baseline: %v (run `make setup-python`)", err)
	}
	b.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
	})
	p := &python{in: in, out: bufio.NewScanner(outPipe)}
	if !p.out.Scan() || p.out.Text() != "ready" {
		b.Fatalf("python baseline did not start: %q %v", p.out.Text(), p.out.Err())
	}
	return p
}

// time sends one text and returns the time Python reports for it.
func (p *python) time(b *testing.B, text string) time.Duration {
	line, err := json.Marshal(text)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.in.Write(append(line, '\n')); err != nil {
		b.Fatal(err)
	}
	if !p.out.Scan() {
		b.Fatalf("python baseline stopped: %v", p.out.Err())
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(p.out.Text()), 64)
	if err != nil {
		b.Fatal(err)
	}
	return time.Duration(secs * float64(time.Second))
}
