package classifier_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/testenv"
	"github.com/slm-project/slm/runtime/tokenizer"
)

// TestAnswerIndependentOfBatch: every CLINC150 test utterance gets the same
// label, and scores within 1e-5, alone and inside batches of random
// companions padded to the longest of them, for the fp32 and the (statically
// quantised) int8 MiniLM bundles. A server batches concurrent requests, so a
// text's answer must not depend on other users' texts.
func TestAnswerIndependentOfBatch(t *testing.T) {
	texts := testenv.CLINC150(t)
	for _, name := range []string{"minilm", "minilm-int8"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := open(t, name, classifier.Options{IntraOpThreads: 1, TopK: 3})
			if !c.BatchIndependent() || c.Bundle().Manifest.Precision == "int8" && c.Bundle().Manifest.Quantization.Method != "static" {
				t.Fatalf("%s: batch independent %t, quantization %+v", name, c.BatchIndependent(), c.Bundle().Manifest.Quantization)
			}
			encs := make([]tokenizer.Encoding, len(texts))
			for i, text := range texts {
				encs[i] = c.Tokenizer().Encode(text)
			}
			alone := make([]classifier.Prediction, len(texts))
			for i := range encs {
				p, err := c.ClassifyEncoded(ctx, encs[i:i+1])
				if err != nil {
					t.Fatal(err)
				}
				alone[i] = p[0]
			}
			// Random companions: each text lands once in a batch of 2-32
			// shuffled others, so padding widths and positions vary.
			rng := rand.New(rand.NewPCG(13, uint64(len(name))))
			order := rng.Perm(len(texts))
			worst, changed := 0.0, 0
			for start := 0; start < len(order); {
				n := min(2+rng.IntN(31), len(order)-start)
				idx := order[start : start+n]
				start += n
				batch := make([]tokenizer.Encoding, n)
				for k, i := range idx {
					batch[k] = encs[i]
				}
				preds, err := c.ClassifyEncoded(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				for k, i := range idx {
					got, want := preds[k], alone[i]
					if got.Label != want.Label || got.BestInScope.Label != want.BestInScope.Label {
						changed++
						t.Errorf("%q: %s (best in scope %s) alone, %s (%s) in a batch of %d",
							texts[i], want.Label, want.BestInScope.Label, got.Label, got.BestInScope.Label, n)
					}
					worst = max(worst, maxScoreDiff(want, got))
				}
			}
			t.Logf("%s: %d texts, largest score difference %.3g, %d labels changed", name, len(texts), worst, changed)
			if worst > 1e-5 {
				t.Errorf("scores differ by %.3g between a text alone and in a batch, want at most 1e-5", worst)
			}
		})
	}
}

// maxScoreDiff is the largest difference between two predictions' softmax
// scores over every class.
func maxScoreDiff(a, b classifier.Prediction) float64 {
	pa, pb := classifier.Softmax(a.Logits), classifier.Softmax(b.Logits)
	worst := 0.0
	for j := range pa {
		worst = max(worst, math.Abs(float64(pa[j]-pb[j])))
	}
	return worst
}
