package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/slm-project/slm/runtime/bundle"
	"github.com/slm-project/slm/runtime/ortenv"
	"github.com/slm-project/slm/runtime/testenv"
	"github.com/slm-project/slm/runtime/tokenizer"
)

var models = []struct{ name, bundle string }{{"fp32", "minilm"}, {"int8", "minilm-int8"}}

// BenchmarkLatency: slm-edge end to end over HTTP, one text per request, one
// request at a time (batch 1), with 1 and 2 intra-op threads, fp32 and int8.
func BenchmarkLatency(b *testing.B) {
	texts := testenv.CLINC150(b)
	for _, m := range models {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", m.name, threads), func(b *testing.B) {
				s := newStack(b, m.bundle, threads, 1, 0)
				samples := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := range b.N {
					start := time.Now()
					if err := s.classify(texts[i%len(texts)]); err != nil {
						b.Fatal(err)
					}
					samples = append(samples, time.Since(start))
				}
				b.StopTimer()
				reportLatency(b, samples)
			})
		}
	}
}

// BenchmarkFloor: raw onnxruntime_go Run on pre-tokenised input, batch 1:
// what slm-edge would cost with no tokeniser, batching, HTTP or JSON.
func BenchmarkFloor(b *testing.B) {
	texts := testenv.CLINC150(b)
	if err := ortenv.Init(testenv.ORTLib(b)); err != nil {
		b.Fatal(err)
	}
	for _, m := range models {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", m.name, threads), func(b *testing.B) {
				bd, err := bundle.Load(context.Background(), testenv.Bundle(b, m.bundle))
				if err != nil {
					b.Fatal(err)
				}
				tok, err := tokenizer.Load(bd.TokenizerPath())
				if err != nil {
					b.Fatal(err)
				}
				tok = tok.WithMaxLength(bd.Manifest.MaxSeqLength)
				so, err := ort.NewSessionOptions()
				if err != nil {
					b.Fatal(err)
				}
				defer so.Destroy()
				if err := so.SetIntraOpNumThreads(threads); err != nil {
					b.Fatal(err)
				}
				if err := so.SetInterOpNumThreads(1); err != nil {
					b.Fatal(err)
				}
				sess, err := ort.NewDynamicAdvancedSession(bd.ModelPath(), bd.Manifest.Inputs, []string{bd.Manifest.Output}, so)
				if err != nil {
					b.Fatal(err)
				}
				defer sess.Destroy()
				n := min(len(texts), 500)
				inputs := make([][]ort.Value, n)
				for i := range n {
					enc := tok.Encode(texts[i])
					shape := ort.NewShape(1, int64(len(enc.IDs)))
					for _, data := range [][]int64{enc.IDs, enc.AttentionMask, enc.TypeIDs} {
						t, err := ort.NewTensor(shape, data)
						if err != nil {
							b.Fatal(err)
						}
						defer t.Destroy()
						inputs[i] = append(inputs[i], t)
					}
				}
				samples := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := range b.N {
					out := []ort.Value{nil}
					start := time.Now()
					if err := sess.Run(inputs[i%n], out); err != nil {
						b.Fatal(err)
					}
					samples = append(samples, time.Since(start))
					_ = out[0].Destroy()
				}
				b.StopTimer()
				reportLatency(b, samples)
			})
		}
	}
}

// BenchmarkThroughput: requests per second at concurrency 1, 8 and 32, with
// dynamic batching (max batch 8, max wait 2ms) and without (max batch 1).
func BenchmarkThroughput(b *testing.B) {
	texts := testenv.CLINC150(b)
	for _, mode := range []struct {
		name     string
		maxBatch int
		maxWait  time.Duration
	}{{"batching", 8, 2 * time.Millisecond}, {"no-batching", 1, 0}} {
		for _, conc := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("fp32/%s/concurrency=%d", mode.name, conc), func(b *testing.B) {
				s := newStack(b, "minilm", 2, mode.maxBatch, mode.maxWait)
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, conc)
				b.ResetTimer()
				start := time.Now()
				for range conc {
					wg.Go(func() {
						for {
							i := next.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							if err := s.classify(texts[i%int64(len(texts))]); err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			})
		}
	}
}

// BenchmarkPython runs scripts/edge/bench_python.py: Python onnxruntime and
// Hugging Face tokenizers on the same bundle, threads and utterances.
func BenchmarkPython(b *testing.B) {
	root := testenv.RepoRoot(b)
	for _, m := range models {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", m.name, threads), func(b *testing.B) {
				for range b.N {
					cmd := exec.Command(filepath.Join(root, ".venv", "bin", "python"), filepath.Join(root, "scripts", "edge", "bench_python.py"),
						"--bundle", testenv.Bundle(b, m.bundle), "--threads", fmt.Sprint(threads), "--n", "300")
					out, err := cmd.Output()
					if err != nil {
						b.Fatalf("python baseline: %v (run `make setup-python`)", err)
					}
					var r map[string]float64
					if err := json.Unmarshal(out, &r); err != nil {
						b.Fatalf("python baseline output %q: %v", out, err)
					}
					b.ReportMetric(r["p50_ms"], "p50_ms")
					b.ReportMetric(r["p99_ms"], "p99_ms")
					b.ReportMetric(r["throughput_per_s"], "req/s")
					b.ReportMetric(r["tokenizer_us"], "tokenizer_us")
				}
			})
		}
	}
}
