package bench

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
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
type ceiling struct {
	sess    *ort.DynamicAdvancedSession
	batches [][]ort.Value
	sizes   []int
	index   map[string]int // at batch 1: text -> its batch
}

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
	c := &ceiling{sess: sess, index: map[string]int{}}
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
		if batchSize == 1 {
			c.index[texts[start]] = len(c.batches)
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

// textsPerSecond runs batches with `workers` goroutines for d, and returns the texts per second
// and the p50 of one Run in milliseconds (at batch 1, one worker: the floor of a request's latency).
func (c *ceiling) textsPerSecond(b *testing.B, workers int, d time.Duration) (tps, p50 float64) {
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

// bareServer is the least an HTTP server can do around the floor's Run: net/http on loopback, a
// handler that decodes {"text": ...}, runs the text's pre-built batch-1 tensors (no tokenising, no
// queue, no answer) and writes a constant body. slm-edge's batch-1 latency over this server's is what
// slm-edge itself adds; this server's over the back-to-back Run is what serving over HTTP costs on
// the machine (the round trip, and a Run that follows network work and idle time rather than another
// Run: 10-20% slower here).
func (c *ceiling) bareServer(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text string `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := []ort.Value{nil}
		if err := c.sess.Run(c.batches[c.index[req.Text]], out); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = out[0].Destroy()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// run times one Run of a text's pre-built batch-1 tensors (a ceiling of batch size 1).
func (c *ceiling) run(b *testing.B, text string) time.Duration {
	out := []ort.Value{nil}
	start := time.Now()
	if err := c.sess.Run(c.batches[c.index[text]], out); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	_ = out[0].Destroy()
	return d
}
