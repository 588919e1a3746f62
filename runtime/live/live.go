// Package live holds the model a server is answering with and swaps it for a
// new one atomically: requests already running finish on the old session,
// which is closed once the last of them is done; a bundle that fails to load
// leaves the old model serving.
package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/slm-project/slm/runtime/classifier"
)

// Loader opens the classifier for a bundle directory.
type Loader func(ctx context.Context, dir string) (*classifier.Classifier, error)

// Model is the live model. The zero value is not usable; see New.
type Model struct {
	load    Loader
	current atomic.Pointer[slot]
	swapMu  sync.Mutex // one reload at a time
}

// slot pairs a classifier with a read-write lock: runs hold it shared, and the
// swap takes it exclusively to close the classifier after the last run.
type slot struct {
	mu     sync.RWMutex
	cls    *classifier.Classifier
	dir    string
	closed bool
}

// ErrNoModel is returned before a model is loaded and after Close.
var ErrNoModel = errors.New("no model loaded")

// New loads the first bundle.
func New(ctx context.Context, dir string, load Loader) (*Model, error) {
	m := &Model{load: load}
	if err := m.Reload(ctx, dir); err != nil {
		return nil, err
	}
	return m, nil
}

// Reload loads dir and, when it loads, swaps it in and retires the old model.
// On error the old model keeps serving and the error says why.
func (m *Model) Reload(ctx context.Context, dir string) error {
	m.swapMu.Lock()
	defer m.swapMu.Unlock()
	cls, err := m.load(ctx, dir)
	if err != nil {
		return fmt.Errorf("reload %s: %w", dir, err)
	}
	old := m.current.Swap(&slot{cls: cls, dir: dir})
	retire(old)
	return nil
}

// retire waits for the runs holding the old slot, then closes its session.
func retire(old *slot) {
	if old == nil {
		return
	}
	old.mu.Lock()
	defer old.mu.Unlock()
	old.closed = true
	_ = old.cls.Close()
}

// Classify runs texts on the current model and returns the version that
// answered. It has the signature of batch.Func.
func (m *Model) Classify(ctx context.Context, texts []string) ([]classifier.Prediction, string, error) {
	for {
		s := m.current.Load()
		if s == nil {
			return nil, "", ErrNoModel
		}
		s.mu.RLock()
		if s.closed {
			// Swapped out between Load and RLock: take the new one.
			s.mu.RUnlock()
			continue
		}
		preds, err := s.cls.Classify(ctx, texts)
		version := s.cls.ModelVersion()
		s.mu.RUnlock()
		return preds, version, err
	}
}

// Version is the current model's version, "" when none.
func (m *Model) Version() string {
	if s := m.current.Load(); s != nil {
		return s.cls.ModelVersion()
	}
	return ""
}

// Dir is the current model's bundle directory, "" when none.
func (m *Model) Dir() string {
	if s := m.current.Load(); s != nil {
		return s.dir
	}
	return ""
}

// Close retires the current model; later calls get ErrNoModel.
func (m *Model) Close() {
	m.swapMu.Lock()
	defer m.swapMu.Unlock()
	retire(m.current.Swap(nil))
}
