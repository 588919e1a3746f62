package live_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/live"
	"github.com/slm-project/slm/runtime/testenv"
)

// withVersion copies the tiny bundle under another model_version (the
// manifest is not in its own digest list, so the bundle stays valid).
func withVersion(t *testing.T, version string) string {
	t.Helper()
	dir := testenv.CopyBundle(t, "tiny")
	testenv.EditManifest(t, dir, func(m map[string]any) { m["model_version"] = version })
	return dir
}

func loader(t *testing.T) live.Loader {
	lib := testenv.ORTLib(t)
	return func(ctx context.Context, dir string) (*classifier.Classifier, error) {
		return classifier.Open(ctx, dir, classifier.Options{ORTLibrary: lib, IntraOpThreads: 1})
	}
}

// TestReloadUnderLoad swaps models while requests run: every request gets an
// answer from one of the two versions, none fails, and a bad bundle leaves
// the serving model in place.
func TestReloadUnderLoad(t *testing.T) {
	v1, v2 := withVersion(t, "v1"), withVersion(t, "v2")
	m, err := live.New(context.Background(), v1, loader(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var answered atomic.Int64
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				preds, version, err := m.Classify(context.Background(), []string{"what is my balance", "hello"})
				if err != nil {
					errs <- err
					return
				}
				if len(preds) != 2 || (version != "v1" && version != "v2") {
					errs <- os.ErrInvalid
					return
				}
				answered.Add(1)
			}
		})
	}
	for i := range 3 {
		dir := v1
		if i%2 == 0 {
			dir = v2
		}
		if err := m.Reload(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
	}
	bad := testenv.CopyBundle(t, "tiny")
	if err := os.WriteFile(filepath.Join(bad, "model.onnx"), []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := m.Reload(context.Background(), bad); err == nil {
		t.Fatal("a corrupt bundle was swapped in")
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if m.Version() != "v2" || m.Dir() != v2 || answered.Load() == 0 {
		t.Fatalf("serving %s from %s after %d answers; want v2 still serving", m.Version(), m.Dir(), answered.Load())
	}
	m.Close()
	if _, _, err := m.Classify(context.Background(), []string{"x"}); err != live.ErrNoModel {
		t.Fatalf("closed model answered %v, want ErrNoModel", err)
	}
}

func TestNewRefusesBadBundle(t *testing.T) {
	if _, err := live.New(context.Background(), t.TempDir(), loader(t)); err == nil {
		t.Fatal("an empty directory loaded")
	}
}
