// Package batch groups concurrent classification requests into batches for
// one model (dynamic batching) behind a bounded queue that refuses work when
// full instead of growing.
package batch

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slm-project/slm/runtime/classifier"
)

// Func runs one batch: one prediction per text, and the model version that
// produced them (the model may be swapped between batches).
type Func func(ctx context.Context, texts []string) ([]classifier.Prediction, string, error)

// Options size the batcher.
type Options struct {
	// MaxBatch is the most texts in one model run; 1 turns batching off.
	MaxBatch int
	// MaxWait is how long the first text of a batch waits for company.
	MaxWait time.Duration
	// QueueSize bounds the texts waiting; beyond it Classify returns ErrOverloaded.
	QueueSize int
	// Workers is how many batches may run at once, each gathered from the one
	// queue; 0 means 1. They share the Func (one ONNX Runtime session, whose
	// Run is safe to call concurrently), so a second worker costs a second
	// batch's activations, not a second copy of the model.
	Workers int
	// OnBatch, when set, is called with the size of each batch run (metrics).
	OnBatch func(size int)
}

// Errors callers map to HTTP status codes.
var (
	ErrOverloaded = errors.New("too many requests queued")
	ErrClosed     = errors.New("batcher is shut down")
)

// Batcher runs a Func over batches gathered from concurrent Classify calls,
// by Options.Workers workers.
type Batcher struct {
	run   Func
	opts  Options
	queue chan *item
	depth atomic.Int64

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
	done   chan struct{}
}

type item struct {
	ctx    context.Context
	text   string
	result chan result // buffered: the worker never blocks on a gone caller
}

type result struct {
	pred    classifier.Prediction
	version string
	err     error
}

// New starts the batcher's workers.
func New(run Func, opts Options) (*Batcher, error) {
	if opts.MaxBatch < 1 {
		return nil, fmt.Errorf("max batch %d: want at least 1", opts.MaxBatch)
	}
	if opts.MaxWait < 0 {
		return nil, fmt.Errorf("max wait %v: want zero or more", opts.MaxWait)
	}
	if opts.QueueSize < opts.MaxBatch {
		return nil, fmt.Errorf("queue size %d: want at least max batch (%d)", opts.QueueSize, opts.MaxBatch)
	}
	if opts.Workers < 0 {
		return nil, fmt.Errorf("workers %d: want at least 1", opts.Workers)
	}
	opts.Workers = max(opts.Workers, 1)
	b := &Batcher{run: run, opts: opts, queue: make(chan *item, opts.QueueSize), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(b.work)
	}
	go func() {
		wg.Wait()
		close(b.done)
	}()
	return b, nil
}

// QueueDepth is the number of texts admitted and not yet answered.
func (b *Batcher) QueueDepth() int { return int(b.depth.Load()) }

// Classify queues texts and waits for their predictions. It returns
// ErrOverloaded at once when the queue has no room for all of them, and the
// context's error when it ends first (the texts are then skipped or their
// results dropped).
func (b *Batcher) Classify(ctx context.Context, texts []string) ([]classifier.Prediction, string, error) {
	n := int64(len(texts))
	if n == 0 {
		return nil, "", nil
	}
	if n > int64(b.opts.QueueSize) {
		return nil, "", fmt.Errorf("%w: %d texts in one request, the queue holds %d", ErrOverloaded, n, b.opts.QueueSize)
	}
	if b.depth.Add(n) > int64(b.opts.QueueSize) {
		b.depth.Add(-n)
		return nil, "", ErrOverloaded
	}
	items := make([]*item, len(texts))
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		b.depth.Add(-n)
		return nil, "", ErrClosed
	}
	for i, t := range texts {
		items[i] = &item{ctx: ctx, text: t, result: make(chan result, 1)}
		b.queue <- items[i] // never blocks: depth admission bounds the queue
	}
	b.mu.RUnlock()

	preds := make([]classifier.Prediction, len(texts))
	version := ""
	for i, it := range items {
		select {
		case r := <-it.result:
			if r.err != nil {
				return nil, "", r.err
			}
			preds[i], version = r.pred, r.version
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
	}
	return preds, version, nil
}

// Close stops accepting texts, lets the workers answer what is queued, and
// waits for them.
func (b *Batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	<-b.done
}

// work gathers batches: it blocks for a first text, then takes more until the
// batch is full or MaxWait has passed since the first arrived.
func (b *Batcher) work() {
	// Each worker keeps one OS thread, so its model runs (C calls into ONNX
	// Runtime, which keeps per-thread buffers) stay on one thread and mostly
	// one core. Paired wrk rounds, int8: at c=32, 8 of 8 faster, by 1-32%
	// (median about 6%), with lower p99; at c=1, p50 about 4% higher (waking
	// that one thread) and p99 lower in 5 of 6.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	batch := make([]*item, 0, b.opts.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		first, ok := <-b.queue
		if !ok {
			return
		}
		batch = append(batch[:0], first)
		if b.opts.MaxBatch > 1 && b.opts.MaxWait > 0 {
			timer.Reset(b.opts.MaxWait)
		gather:
			for len(batch) < b.opts.MaxBatch {
				select {
				case it, ok := <-b.queue:
					if !ok {
						break gather
					}
					batch = append(batch, it)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		} else {
			// No wait: take only what is already queued.
		drain:
			for len(batch) < b.opts.MaxBatch {
				select {
				case it, ok := <-b.queue:
					if !ok {
						break drain
					}
					batch = append(batch, it)
				default:
					break drain
				}
			}
		}
		b.runBatch(batch)
		clear(batch)
	}
}

func (b *Batcher) runBatch(batch []*item) {
	defer b.depth.Add(-int64(len(batch)))
	live := make([]*item, 0, len(batch))
	texts := make([]string, 0, len(batch))
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil {
			it.result <- result{err: err}
			continue
		}
		live = append(live, it)
		texts = append(texts, it.text)
	}
	if len(live) == 0 {
		return
	}
	if b.opts.OnBatch != nil {
		b.opts.OnBatch(len(live))
	}
	// The batch serves several callers, so no single caller's deadline may
	// cancel it; each caller stops waiting on its own context instead.
	preds, version, err := b.run(context.Background(), texts)
	if err == nil && len(preds) != len(live) {
		err = fmt.Errorf("batch of %d texts returned %d predictions", len(live), len(preds))
	}
	for i, it := range live {
		if err != nil {
			it.result <- result{err: err}
			continue
		}
		it.result <- result{pred: preds[i], version: version}
	}
}
