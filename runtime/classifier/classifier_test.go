package classifier_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slm-project/slm/runtime/bundle"
	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/testenv"
)

func open(t testing.TB, name string, opts classifier.Options) *classifier.Classifier {
	t.Helper()
	opts.ORTLibrary = testenv.ORTLib(t)
	c, err := classifier.Open(context.Background(), testenv.Bundle(t, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestLogitsMatchPython checks ids and logits against Python tokenizers and
// onnxruntime on the same texts, as one padded batch and one text at a time.
func TestLogitsMatchPython(t *testing.T) {
	for _, name := range []string{"tiny", "minilm", "minilm-int8"} {
		t.Run(name, func(t *testing.T) {
			ref := testenv.LoadReference(t, name)
			c := open(t, name, classifier.Options{IntraOpThreads: 1})
			width := len(ref.InputIDs[0])
			for i, text := range ref.Texts {
				enc := c.Tokenizer().Encode(text)
				want := ref.InputIDs[i][:len(enc.IDs)]
				if !slices.Equal(enc.IDs, want) || (len(enc.IDs) < width && ref.AttentionMask[i][len(enc.IDs)] != 0) {
					t.Fatalf("ids of %q: got %v, Python %v", text, enc.IDs, ref.InputIDs[i])
				}
			}
			batch, err := c.Classify(context.Background(), ref.Texts)
			if err != nil {
				t.Fatal(err)
			}
			for i, text := range ref.Texts {
				single, err := c.Classify(context.Background(), []string{text})
				if err != nil {
					t.Fatal(err)
				}
				runs := [][]float32{batch[i].Logits, single[0].Logits}
				if c.Bundle().Manifest.Precision == "int8" {
					// Dynamic quantisation scales activations over the whole
					// batch, padding included: only the same padded batch
					// is the same input.
					runs = runs[:1]
				}
				for _, got := range runs {
					if len(got) != len(ref.Logits[i]) {
						t.Fatalf("%q: %d logits, want %d", text, len(got), len(ref.Logits[i]))
					}
					for j := range got {
						if d := math.Abs(float64(got[j]) - ref.Logits[i][j]); d > 1e-4 {
							t.Fatalf("%q logit %d: got %v, Python onnxruntime %v (diff %g)", text, j, got[j], ref.Logits[i][j], d)
						}
					}
				}
			}
		})
	}
}

func TestPrediction(t *testing.T) {
	c := open(t, "tiny", classifier.Options{TopK: 3})
	labels := c.Bundle().Labels
	preds, err := c.Classify(context.Background(), []string{"what is my balance", ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range preds {
		if len(p.TopK) != 3 {
			t.Fatalf("top-k has %d entries, want 3", len(p.TopK))
		}
		probs := classifier.Softmax(p.Logits)
		best := 0
		for i := range probs {
			if probs[i] > probs[best] {
				best = i
			}
		}
		if p.TopK[0].Label != labels[best] || p.TopK[0].Score != probs[best] {
			t.Fatalf("top-1 %v, want %s %v", p.TopK[0], labels[best], probs[best])
		}
		if p.Threshold != 0.5 || p.BestInScope.Score > probs[best] || p.BestInScope.Label == "oos" {
			t.Fatalf("threshold %v, best in scope %v (top %s %v)", p.Threshold, p.BestInScope, labels[best], probs[best])
		}
		oosProb := probs[slices.Index(labels, "oos")]
		if p.Confidence == nil || (p.OutOfScope && *p.Confidence != oosProb) || (!p.OutOfScope && *p.Confidence != probs[best]) {
			t.Fatalf("confidence %v of %s (oos %v, top %v)", p.Confidence, p.Label, oosProb, probs[best])
		}
		if p.TopK[1].Score > p.TopK[0].Score || p.TopK[2].Score > p.TopK[1].Score {
			t.Fatalf("top-k not sorted: %v", p.TopK)
		}
		// A random 151-way head is never 50% sure, so the tiny model's answers are out of scope.
		wantOOS := probs[best] < 0.5 || labels[best] == "oos"
		if p.OutOfScope != wantOOS || (wantOOS && p.Label != "oos") || (!wantOOS && p.Label != labels[best]) {
			t.Fatalf("prediction %+v: out of scope should be %v", p, wantOOS)
		}
	}
}

func TestSoftmax(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logits []float32
		want   []float32
	}{
		{"uniform", []float32{1, 1}, []float32{0.5, 0.5}},
		{"large values stay finite", []float32{1000, 1000, 1000, 1000}, []float32{0.25, 0.25, 0.25, 0.25}},
		{"dominant", []float32{0, 100}, []float32{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classifier.Softmax(tc.logits)
			for i := range got {
				if math.Abs(float64(got[i]-tc.want[i])) > 1e-6 {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestOptionsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts classifier.Options
	}{
		{"unknown optimisation level", classifier.Options{GraphOptimization: "max"}},
		{"negative threads", classifier.Options{IntraOpThreads: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.ORTLibrary = testenv.ORTLib(t)
			c, err := classifier.Open(context.Background(), testenv.Bundle(t, "tiny"), tc.opts)
			if err == nil {
				_ = c.Close()
				t.Fatal("options accepted")
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	c := open(t, "tiny", classifier.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Classify(ctx, []string{"hello"}); err == nil {
		t.Fatal("a cancelled context still classified")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Classify(context.Background(), []string{"hello"}); err == nil {
		t.Fatal("a closed classifier still classified")
	}
}

// TestRefusesBundle: a bundle whose parts disagree is refused at load, with
// the reason, before it can serve.
func TestRefusesBundle(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		edit func(data []byte) []byte
		says string
	}{
		{"BPE tokenizer", "tokenizer.json", func(d []byte) []byte {
			return bytes.Replace(d, []byte(`"model":{"type":"WordPiece"`), []byte(`"model":{"type":"BPE"`), 1)
		}, `model type "BPE" is not implemented`},
		{"fewer labels than logits", "labels.json", func([]byte) []byte { return []byte(`["a","b"]`) }, "want [1 2]"},
		{"model that is not ONNX", "model.onnx", func([]byte) []byte { return []byte("not a model") }, "create ONNX Runtime session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testenv.CopyBundle(t, "tiny")
			path := filepath.Join(dir, tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.edit(data), 0o644); err != nil {
				t.Fatal(err)
			}
			digest, err := bundle.FileDigest(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			testenv.EditManifest(t, dir, func(m map[string]any) { m["files"].(map[string]any)[tc.file] = digest })
			c, err := classifier.Open(context.Background(), dir, classifier.Options{ORTLibrary: testenv.ORTLib(t)})
			if err == nil {
				_ = c.Close()
				t.Fatal("bundle accepted")
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %q, want it to say %q", err, tc.says)
			}
		})
	}
}
