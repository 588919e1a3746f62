package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/batch"
	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/drift"
	"github.com/slm-project/slm/runtime/live"
	"github.com/slm-project/slm/runtime/metrics"
	"github.com/slm-project/slm/runtime/server"
	"github.com/slm-project/slm/runtime/testenv"
)

// The thresholds the drift test holds the statistics to (what a monitoring
// alarm would be set to): PSI over 0.1 is the usual reading of a moderate
// shift; an out-of-scope rate 10 points above the reference's is a change of
// traffic worth an alarm.
const (
	psiThreshold = 0.1
	oosThreshold = 0.1
)

func driftServer(t *testing.T, bundleName string, opts server.DriftOptions) (string, *server.Server) {
	t.Helper()
	lib := testenv.ORTLib(t)
	model, err := live.New(context.Background(), testenv.Bundle(t, bundleName), func(ctx context.Context, dir string) (*classifier.Classifier, error) {
		return classifier.Open(ctx, dir, classifier.Options{ORTLibrary: lib, IntraOpThreads: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := batch.New(model.Classify, batch.Options{MaxBatch: 32, QueueSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(model, b, server.Limits{MaxBodyBytes: 1 << 20, MaxTextBytes: 4096, MaxTexts: 64, Timeout: time.Minute},
		metrics.NewRegistry(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err := srv.SetDrift(opts); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); b.Close(); model.Close() })
	return hs.URL, srv
}

// send classifies texts in requests of 32.
func send(t *testing.T, url string, texts []string) {
	t.Helper()
	for i := 0; i < len(texts); i += 32 {
		body, _ := json.Marshal(map[string]any{"texts": texts[i:min(i+32, len(texts))]})
		if status, out := post(t, url+"/v1/classify", "application/json", string(body)); status != http.StatusOK {
			t.Fatalf("classify: %d %v", status, out)
		}
	}
}

func getStats(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url + "/v1/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// clinc150 returns the test split's in-scope and out-of-scope utterances.
func clinc150(t *testing.T) (inScope, outOfScope []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "runtime", "testdata", "clinc150", "test.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][2]string
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r[1] == "oos" {
			outOfScope = append(outOfScope, r[0])
		} else {
			inScope = append(inScope, r[0])
		}
	}
	return inScope, outOfScope
}

// otherDomain is text from another domain: the sentences of the CC BY licence
// kept beside the CLINC150 data.
func otherDomain(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "runtime", "testdata", "clinc150", "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range regexp.MustCompile(`[.;:]\s+`).Split(strings.Join(strings.Fields(string(data)), " "), -1) {
		if len(strings.Fields(s)) >= 4 {
			out = append(out, s)
		}
	}
	return out
}

// TestDriftOnShiftedTraffic: on the MiniLM bundle (head fitted on the smoke
// slice, reference profile on the CLINC150 test split), a window of
// in-distribution test utterances keeps every drift statistic under its
// threshold; a stream of out-of-scope utterances, then one of other-domain
// text, raises them above. The statistics show on /v1/stats and /metrics.
func TestDriftOnShiftedTraffic(t *testing.T) {
	url, srv := driftServer(t, "minilm-int8", server.DriftOptions{Window: 600, MinTexts: 300})
	if status, out := getStats(t, url); status != http.StatusOK || out["drift"] != nil || out["window_size"] != float64(600) {
		t.Fatalf("empty window: %d %v", status, out)
	}
	inScope, oos := clinc150(t)
	// In-distribution: the test split's mix (a random sample keeps its share
	// of out-of-scope utterances).
	all := append(append([]string(nil), inScope...), oos...)
	rng := rand.New(rand.NewPCG(1, 13))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	send(t, url, all[:600])
	d, ok := srv.DriftNow()
	if !ok {
		t.Fatal("no drift after 600 answers")
	}
	t.Logf("in distribution: %+v", d)
	if d.ConfidencePSI > psiThreshold || d.LabelPSI > psiThreshold || d.TokensPSI > psiThreshold || abs(d.OutOfScopeDelta) > oosThreshold {
		t.Errorf("in-distribution traffic drifts: %+v", d)
	}
	status, stats := getStats(t, url)
	live := stats["live"].(map[string]any)
	if status != http.StatusOK || stats["drift"] == nil || live["examples"] != float64(600) || stats["observed"] != float64(600) ||
		stats["reference"].(map[string]any)["split"] != "test" || stats["model_version"] != "minilm-test-1-int8" {
		t.Fatalf("stats: %d %v", status, stats)
	}

	// Out-of-scope stream: the window fills with out-of-scope answers.
	send(t, url, oos[:600])
	d, _ = srv.DriftNow()
	t.Logf("out-of-scope stream: %+v", d)
	if d.OutOfScopeDelta < oosThreshold || d.LabelPSI < psiThreshold {
		t.Errorf("an out-of-scope stream does not raise drift above the thresholds: %+v", d)
	}

	// Other-domain text: long, unlike anything the model knows.
	other := otherDomain(t)
	for len(other) < 600 {
		other = append(other, other...)
	}
	send(t, url, other[:600])
	d, _ = srv.DriftNow()
	t.Logf("other-domain stream (%d distinct sentences): %+v", len(otherDomain(t)), d)
	if d.TokensPSI < psiThreshold || d.LabelPSI < psiThreshold || d.ConfidencePSI < psiThreshold || d.OutOfScopeDelta < oosThreshold {
		t.Errorf("other-domain text does not raise drift above the thresholds: %+v", d)
	}

	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"slm_edge_drift_confidence_psi ", "slm_edge_drift_label_psi ", "slm_edge_drift_tokens_psi ",
		"slm_edge_drift_out_of_scope_rate_change ", "slm_edge_drift_window_texts 600", "slm_edge_out_of_scope_rate "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if emf := srv.EMFDrift(); len(emf) != 4 || emf["DriftTokensPSI"] != d.TokensPSI {
		t.Errorf("EMF drift %v, want the four statistics", emf)
	}
}

// TestDriftOff: a bundle without profile.json serves with the statistics off
// and says so at /v1/stats; a reference that is not a profile is refused.
func TestDriftOff(t *testing.T) {
	url, srv := driftServer(t, "tiny", server.DriftOptions{Window: 100, MinTexts: 10})
	status, out := getStats(t, url)
	if msg, _ := out["error"].(string); status != http.StatusNotFound || !strings.Contains(msg, drift.File) {
		t.Fatalf("stats without a reference: %d %v", status, out)
	}
	if _, ok := srv.DriftNow(); ok {
		t.Fatal("drift without a reference")
	}
	bad := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(bad, []byte(`{"format":"other"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := testenv.ORTLib(t)
	model, err := live.New(context.Background(), testenv.Bundle(t, "tiny"), func(ctx context.Context, dir string) (*classifier.Classifier, error) {
		return classifier.Open(ctx, dir, classifier.Options{ORTLibrary: lib, IntraOpThreads: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	b, err := batch.New(model.Classify, batch.Options{MaxBatch: 1, QueueSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := server.New(model, b, server.Limits{MaxBodyBytes: 4096, MaxTextBytes: 100, MaxTexts: 4, Timeout: time.Second},
		metrics.NewRegistry(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err := s.SetDrift(server.DriftOptions{Window: 10, MinTexts: 5, Reference: bad}); err == nil || !strings.Contains(err.Error(), "drift profile") {
		t.Fatalf("bad reference: %v", err)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
