package bench

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/testenv"
)

var models = []struct{ name, bundle string }{{"fp32", "minilm"}, {"int8", "minilm-int8"}}

// BenchmarkThroughput: requests per second at concurrency 1, 8 and 32, with
// dynamic batching (max batch 8; waiting up to 2ms for a batch to fill, or
// taking only what queued while the model was busy) and without (max batch 1).
func BenchmarkThroughput(b *testing.B) {
	texts := testenv.CLINC150(b)
	for _, mode := range []struct {
		name     string
		maxBatch int
		maxWait  time.Duration
	}{{"batching-wait2ms", 8, 2 * time.Millisecond}, {"batching-nowait", 8, 0}, {"no-batching", 1, 0}} {
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
