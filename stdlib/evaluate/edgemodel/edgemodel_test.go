//go:build cgo

package edgemodel

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/testenv"
	"github.com/slm-project/slm/stdlib/evaluate"
)

var texts = []string{"what is my account balance", "play some jazz", "book me a flight to paris", "how's the weather", "tell me a joke"}

func TestPredictMatchesTheRuntime(t *testing.T) {
	ctx := context.Background()
	dir := testenv.Bundle(t, "tiny")
	m, err := Open(ctx, dir, Options{ORTLibrary: testenv.ORTLib(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close() }()
	c, err := classifier.Open(ctx, dir, classifier.Options{ORTLibrary: testenv.ORTLib(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	preds, err := c.Classify(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		got, err := m.Predict(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		if got.Label != preds[i].Label || got.BestInScope.Label != preds[i].BestInScope.Label || got.OutOfScopeReason != preds[i].OutOfScopeReason ||
			got.Threshold != preds[i].Threshold || len(got.Logits) != 151 {
			t.Errorf("%q: evaluate predicts %+v (%d logits), the runtime %+v", text, got, len(got.Logits), preds[i])
		}
		for j := range got.Logits {
			// A batch of one and a padded batch agree within float rounding.
			if d := got.Logits[j] - preds[i].Logits[j]; d > 1e-4 || d < -1e-4 {
				t.Errorf("%q: logit %d is %v alone, %v in a batch", text, j, got.Logits[j], preds[i].Logits[j])
				break
			}
		}
	}
	if m.ModelVersion() != "tiny-test-1" || m.OutOfScopeLabel() != "oos" || len(m.Labels()) != 151 {
		t.Errorf("model version %q, out-of-scope label %q", m.ModelVersion(), m.OutOfScopeLabel())
	}
}

// tarBundle packs dir as SageMaker's model.tar.gz: the bundle under bundle/.
func tarBundle(t *testing.T, dir, archive string) {
	t.Helper()
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: "bundle/" + e.Name(), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunOnModelArchive(t *testing.T) {
	ctx := context.Background()
	dir := testenv.Bundle(t, "tiny")
	work := t.TempDir()
	archive := filepath.Join(work, "model.tar.gz")
	tarBundle(t, dir, archive)
	// The last label is not one of the model's: the report must say so.
	labels := []string{"balance", "play_music", "book_flight", "weather", "no_such_intent"}
	var lines []string
	for i, text := range texts {
		b, _ := json.Marshal(evaluate.Example{Text: text, Label: labels[i]})
		lines = append(lines, string(b))
	}
	testFile := filepath.Join(work, "test.jsonl")
	if err := os.WriteFile(testFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	open := func(ctx context.Context, d string) (evaluate.Model, error) {
		return Open(ctx, d, Options{ORTLibrary: testenv.ORTLib(t)})
	}
	predFile := filepath.Join(work, "predictions.jsonl")
	res, err := evaluate.Run(ctx, evaluate.Options{Model: archive, Test: testFile, Output: out, Predictions: predFile, Open: open})
	if err != nil {
		t.Fatal(err)
	}

	// The same outcomes computed straight from the runtime.
	c, err := classifier.Open(ctx, dir, classifier.Options{ORTLibrary: testenv.ORTLib(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	preds, err := c.Classify(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	var want []evaluate.Outcome
	predLines, err := os.ReadFile(predFile)
	if err != nil {
		t.Fatal(err)
	}
	written := strings.Split(strings.TrimSpace(string(predLines)), "\n")
	if len(written) != len(texts) {
		t.Fatalf("predictions file has %d lines, want %d", len(written), len(texts))
	}
	for i, p := range preds {
		want = append(want, evaluate.Outcome{Actual: labels[i], Predicted: p.Label})
		var line struct {
			Text, Label, Predicted string
			Logits                 []float32
		}
		if err := json.Unmarshal([]byte(written[i]), &line); err != nil {
			t.Fatal(err)
		}
		if line.Text != texts[i] || line.Label != labels[i] || line.Predicted != p.Label || len(line.Logits) != len(p.Logits) {
			t.Errorf("prediction line %d: %s", i+1, written[i])
		}
	}
	wm := evaluate.Compute(want, "oos")
	ev := res.Evaluation
	if ev.Examples != len(texts) || ev.ModelVersion != "tiny-test-1" || ev.Classification.Accuracy.Value != wm.Accuracy || ev.Classification.MacroF1.Value != wm.MacroF1 {
		t.Errorf("evaluation %d examples, version %q, accuracy %v, macro F1 %v; want %d, tiny-test-1, %v, %v",
			ev.Examples, ev.ModelVersion, ev.Classification.Accuracy.Value, ev.Classification.MacroF1.Value, len(texts), wm.Accuracy, wm.MacroF1)
	}
	if ev.Latency.P50.Value <= 0 || ev.Latency.P95.Value < ev.Latency.P50.Value {
		t.Errorf("latency p50 %v p95 %v", ev.Latency.P50.Value, ev.Latency.P95.Value)
	}
	for _, name := range []string{"evaluation.json", "report.md", "confusion.svg"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil || !strings.Contains(string(report), "1 label(s) the model cannot predict (not in its labels.json): `no_such_intent`") {
		t.Errorf("report.md does not warn about the unknown label (%v):\n%s", err, report)
	}
	var doc map[string]any
	data, _ := os.ReadFile(filepath.Join(out, "evaluation.json"))
	if err := json.Unmarshal(data, &doc); err != nil || doc["examples"] != float64(len(texts)) {
		t.Errorf("evaluation.json: %v, examples %v", err, doc["examples"])
	}
}

func TestOpenRefusesATamperedBundle(t *testing.T) {
	src := testenv.Bundle(t, "tiny")
	dir := t.TempDir()
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "labels.json" {
			data = append(data, ' ')
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Open(context.Background(), dir, Options{ORTLibrary: testenv.ORTLib(t)})
	if err == nil || !strings.Contains(err.Error(), "labels.json") {
		t.Fatalf("error %v, want one naming labels.json", err)
	}
}
