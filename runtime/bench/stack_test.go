package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/batch"
	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/live"
	"github.com/slm-project/slm/runtime/metrics"
	"github.com/slm-project/slm/runtime/server"
	"github.com/slm-project/slm/runtime/testenv"
)

// stack is slm-edge in process: model, batcher and HTTP server.
type stack struct {
	url    string
	client *http.Client
}

func newStack(b *testing.B, bundle string, threads, maxBatch int, maxWait time.Duration) *stack {
	b.Helper()
	lib := testenv.ORTLib(b)
	model, err := live.New(context.Background(), testenv.Bundle(b, bundle), func(ctx context.Context, dir string) (*classifier.Classifier, error) {
		return classifier.Open(ctx, dir, classifier.Options{ORTLibrary: lib, IntraOpThreads: threads})
	})
	if err != nil {
		b.Fatal(err)
	}
	bt, err := batch.New(model.Classify, batch.Options{MaxBatch: maxBatch, MaxWait: maxWait, QueueSize: 256})
	if err != nil {
		b.Fatal(err)
	}
	srv := server.New(model, bt, server.DefaultLimits, metrics.NewRegistry(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(func() {
		hs.Close()
		bt.Close()
		model.Close()
	})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	return &stack{url: hs.URL + "/v1/classify", client: &http.Client{Transport: tr}}
}

func (s *stack) classify(text string) error {
	body, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		return err
	}
	resp, err := s.client.Post(s.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// percentiles returns p50 and p99 of the samples in milliseconds.
func percentiles(samples []time.Duration) (p50, p99 float64) {
	if len(samples) == 0 {
		return 0, 0
	}
	sorted := append([]time.Duration(nil), samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	pct := func(p float64) float64 {
		return float64(sorted[int(p*float64(len(sorted)-1))].Microseconds()) / 1000
	}
	return pct(0.50), pct(0.99)
}
