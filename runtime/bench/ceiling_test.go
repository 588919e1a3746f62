package bench

import (
	"context"
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

// ceiling is the most a server could get out of ONNX Runtime for a model:
// raw onnxruntime_go Runs, back to back, on CLINC150 texts tokenised
// beforehand and grouped into padded batches of the server's batch size, by
// as many goroutines as the server has workers, on one session with the
// server's session options (intra-op threads, one inter-op thread, all graph
// optimisations). Its texts per second are what slm-edge's requests per
// second are measured against: what slm-edge does besides Run (HTTP, JSON,
// tokenising, queueing, answers) is the difference.
//
// A Run right after another is faster than one after any pause: on this machine 1.70 against
// 2.38 ms (int8 MiniLM, batch 1, p50) after a 100µs busy pause, 2.81 after a 2ms sleep. A served
// request's Run always follows a pause (at least the network round trip), so the floor is reported
// both ways: back to back, and after floorPause.
type ceiling struct {
	sess    *ort.DynamicAdvancedSession
	batches [][]ort.Value
	sizes   []int
}

// floorPause is about one HTTP round trip on loopback here (wrk's GET /healthz p50: 0.04-0.1 ms).
const floorPause = 100 * time.Microsecond

func newCeiling(b *testing.B, name string, threads, batchSize int) *ceiling {
	b.Helper()
	if err := ortenv.Init(testenv.ORTLib(b)); err != nil {
		b.Fatal(err)
	}
	bd, err := bundle.Load(context.Background(), testenv.Bundle(b, name))
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
	if err := so.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll); err != nil {
		b.Fatal(err)
	}
	sess, err := ort.NewDynamicAdvancedSession(bd.ModelPath(), bd.Manifest.Inputs, []string{bd.Manifest.Output}, so)
	if err != nil {
		b.Fatal(err)
	}
	c := &ceiling{sess: sess}
	texts := testenv.CLINC150(b)
	for start := 0; start+batchSize <= len(texts); start += batchSize {
		encs := make([]tokenizer.Encoding, batchSize)
		width := 0
		for i := range encs {
			encs[i] = tok.Encode(texts[start+i])
			width = max(width, len(encs[i].IDs))
		}
		var inputs []ort.Value
		for _, in := range bd.Manifest.Inputs {
			data := make([]int64, batchSize*width) // zero: [PAD] id and mask 0
			for i, e := range encs {
				src := map[string][]int64{"input_ids": e.IDs, "attention_mask": e.AttentionMask, "token_type_ids": e.TypeIDs}[in]
				copy(data[i*width:], src)
			}
			t, err := ort.NewTensor(ort.NewShape(int64(batchSize), int64(width)), data)
			if err != nil {
				b.Fatal(err)
			}
			inputs = append(inputs, t)
		}
		c.batches = append(c.batches, inputs)
		c.sizes = append(c.sizes, batchSize)
	}
	b.Cleanup(func() {
		for _, in := range c.batches {
			for _, v := range in {
				_ = v.Destroy()
			}
		}
		_ = sess.Destroy()
	})
	return c
}

// textsPerSecond runs batches with `workers` goroutines for d, each pausing (busy, so the core
// stays awake) for `pause` before every Run, and returns the texts per second and the p50 of one
// Run in milliseconds (at batch 1, one worker: the floor of a request's latency).
func (c *ceiling) textsPerSecond(b *testing.B, workers int, pause, d time.Duration) (tps, p50 float64) {
	b.Helper()
	var next, texts atomic.Int64
	var mu sync.Mutex
	var runs []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Go(func() {
			var mine []time.Duration
			defer func() {
				mu.Lock()
				runs = append(runs, mine...)
				mu.Unlock()
			}()
			for time.Now().Before(deadline) {
				for t := time.Now(); time.Since(t) < pause; {
				}
				i := int(next.Add(1)-1) % len(c.batches)
				out := []ort.Value{nil}
				t := time.Now()
				if err := c.sess.Run(c.batches[i], out); err != nil {
					errs <- err
					return
				}
				mine = append(mine, time.Since(t))
				_ = out[0].Destroy()
				texts.Add(int64(c.sizes[i]))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	p50, _ = percentiles(runs)
	return float64(texts.Load()) / elapsed.Seconds(), p50
}
