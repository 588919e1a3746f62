package batch_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/batch"
	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/testenv"
)

func tiny(t *testing.T) *classifier.Classifier {
	t.Helper()
	c, err := classifier.Open(context.Background(), testenv.Bundle(t, "tiny"), classifier.Options{ORTLibrary: testenv.ORTLib(t), IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// recorder runs the real model and records batch sizes; gate, when set,
// holds each batch until a value arrives.
type recorder struct {
	c     *classifier.Classifier
	gate  chan struct{}
	mu    sync.Mutex
	sizes []int
}

func (r *recorder) run(ctx context.Context, texts []string) ([]classifier.Prediction, string, error) {
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	r.sizes = append(r.sizes, len(texts))
	r.mu.Unlock()
	preds, err := r.c.Classify(ctx, texts)
	return preds, r.c.ModelVersion(), err
}

// TestConcurrentBatching sends many concurrent requests and checks that
// batches formed and that every answer equals the text classified alone.
func TestConcurrentBatching(t *testing.T) {
	c := tiny(t)
	rec := &recorder{c: c}
	b, err := batch.New(rec.run, batch.Options{MaxBatch: 8, MaxWait: 5 * time.Millisecond, QueueSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	texts := testenv.CLINC150(t)[:96]
	want, err := c.Classify(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(texts))
	for i, text := range texts {
		wg.Go(func() {
			preds, version, err := b.Classify(context.Background(), []string{text})
			if err != nil {
				errs <- err
				return
			}
			if version != "tiny-test-1" || preds[0].TopK[0].Label != want[i].TopK[0].Label {
				errs <- errors.New("wrong answer for " + text)
				return
			}
			for j := range preds[0].Logits {
				if math.Abs(float64(preds[0].Logits[j]-want[i].Logits[j])) > 1e-4 {
					errs <- errors.New("batched logits differ for " + text)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	total, biggest := 0, 0
	for _, s := range rec.sizes {
		total += s
		biggest = max(biggest, s)
		if s > 8 {
			t.Fatalf("batch of %d, max is 8", s)
		}
	}
	if total != len(texts) || biggest < 2 {
		t.Fatalf("batches %v: want %d texts in all and some batching", rec.sizes, len(texts))
	}
	if b.QueueDepth() != 0 {
		t.Fatalf("queue depth %d after all answers", b.QueueDepth())
	}
}

// TestOverload fills the queue behind a held batch: the next request is
// refused at once with ErrOverloaded instead of queueing.
func TestOverload(t *testing.T) {
	rec := &recorder{c: tiny(t), gate: make(chan struct{})}
	b, err := batch.New(rec.run, batch.Options{MaxBatch: 1, QueueSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 3)
	for range 3 {
		go func() {
			_, _, err := b.Classify(context.Background(), []string{"hello"})
			results <- err
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.QueueDepth() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("requests never queued")
		}
		time.Sleep(time.Millisecond)
	}
	if _, _, err := b.Classify(context.Background(), []string{"one too many"}); !errors.Is(err, batch.ErrOverloaded) {
		t.Fatalf("full queue answered %v, want ErrOverloaded", err)
	}
	if _, _, err := b.Classify(context.Background(), []string{"a", "b", "c", "d"}); !errors.Is(err, batch.ErrOverloaded) {
		t.Fatalf("request bigger than the queue answered %v, want ErrOverloaded", err)
	}
	close(rec.gate)
	for range 3 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	b.Close()
	if _, _, err := b.Classify(context.Background(), []string{"late"}); !errors.Is(err, batch.ErrClosed) {
		t.Fatalf("closed batcher answered %v, want ErrClosed", err)
	}
}

// TestDeadline: a caller whose deadline passes while queued gets its
// context's error, and its text is skipped rather than run.
func TestDeadline(t *testing.T) {
	rec := &recorder{c: tiny(t), gate: make(chan struct{})}
	b, err := batch.New(rec.run, batch.Options{MaxBatch: 1, QueueSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	first := make(chan error, 1)
	go func() {
		_, _, err := b.Classify(context.Background(), []string{"holds the worker"})
		first <- err
	}()
	for b.QueueDepth() < 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := b.Classify(ctx, []string{"times out"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
	close(rec.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for b.QueueDepth() > 0 {
		time.Sleep(time.Millisecond)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sizes) != 1 {
		t.Fatalf("ran %d batches, want 1 (the expired text skipped)", len(rec.sizes))
	}
}

// TestWorkers: with Workers 2, a second batch runs while the first is still
// running (both are held inside the model until both have started), and with
// Workers 1 it does not.
func TestWorkers(t *testing.T) {
	c := tiny(t)
	for _, tc := range []struct {
		workers     int
		wantOverlap bool
	}{{1, false}, {2, true}} {
		t.Run(fmt.Sprintf("workers=%d", tc.workers), func(t *testing.T) {
			var running atomic.Int32
			started := make(chan struct{}, 2)
			release := make(chan struct{})
			run := func(ctx context.Context, texts []string) ([]classifier.Prediction, string, error) {
				running.Add(1)
				defer running.Add(-1)
				started <- struct{}{}
				<-release
				preds, err := c.Classify(ctx, texts)
				return preds, c.ModelVersion(), err
			}
			b, err := batch.New(run, batch.Options{MaxBatch: 1, QueueSize: 4, Workers: tc.workers})
			if err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			for _, text := range []string{"what is my balance", "set an alarm"} {
				go func() {
					_, _, err := b.Classify(context.Background(), []string{text})
					errs <- err
				}()
			}
			<-started
			select {
			case <-started:
				if !tc.wantOverlap {
					t.Errorf("a second batch started while the first ran, with %d worker", tc.workers)
				}
			case <-time.After(200 * time.Millisecond):
				if tc.wantOverlap {
					t.Errorf("the second batch did not start while the first ran, with %d workers", tc.workers)
				}
			}
			close(release)
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			b.Close()
			if n := running.Load(); n != 0 {
				t.Fatalf("%d batches still running after Close", n)
			}
		})
	}
}

func TestOptionsRefused(t *testing.T) {
	run := func(context.Context, []string) ([]classifier.Prediction, string, error) { return nil, "", nil }
	for _, tc := range []struct {
		name string
		opts batch.Options
	}{
		{"zero batch", batch.Options{MaxBatch: 0, QueueSize: 1}},
		{"negative wait", batch.Options{MaxBatch: 1, MaxWait: -1, QueueSize: 1}},
		{"queue smaller than batch", batch.Options{MaxBatch: 8, QueueSize: 4}},
		{"negative workers", batch.Options{MaxBatch: 1, QueueSize: 1, Workers: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := batch.New(run, tc.opts); err == nil {
				t.Fatal("options accepted")
			}
		})
	}
}
