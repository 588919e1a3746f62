package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

const (
	goldenPath    = "../testdata/golden_tokens.json"
	tokenizerPath = "../testdata/minilm/tokenizer.json"
)

type golden struct {
	Meta struct {
		TokenizerSHA256 string `json:"tokenizer_sha256"`
		Truncate        int    `json:"truncate"`
	} `json:"meta"`
	Cases []struct {
		Text  string  `json:"text"`
		IDs   []int64 `json:"ids"`
		IDs16 []int64 `json:"ids16"`
	} `json:"cases"`
}

func loadGolden(t testing.TB) (*Tokenizer, *golden) {
	t.Helper()
	data, err := os.ReadFile(tokenizerPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != g.Meta.TokenizerSHA256 {
		t.Fatalf("%s changed since the golden ids were made; rerun scripts/edge/gen_golden_tokens.py", tokenizerPath)
	}
	tok, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return tok, &g
}

// TestGolden compares every CLINC150 test utterance and the hard cases with
// the ids of the Hugging Face tokenizers library, untruncated and truncated.
func TestGolden(t *testing.T) {
	tok, g := loadGolden(t)
	full := tok.WithMaxLength(0)
	short := tok.WithMaxLength(g.Meta.Truncate)
	if len(g.Cases) < 5500 {
		t.Fatalf("golden file has %d cases, want every CLINC150 test utterance", len(g.Cases))
	}
	mismatches := 0
	for _, c := range g.Cases {
		for _, want := range []struct {
			name string
			tok  *Tokenizer
			ids  []int64
		}{{"full", full, c.IDs}, {"truncated", short, c.IDs16}} {
			enc := want.tok.Encode(c.Text)
			if !slices.Equal(enc.IDs, want.ids) {
				mismatches++
				if mismatches <= 10 {
					t.Errorf("%s %q:\n got %v\nwant %v", want.name, c.Text, enc.IDs, want.ids)
				}
				continue
			}
			for i := range enc.IDs {
				if enc.AttentionMask[i] != 1 || enc.TypeIDs[i] != 0 {
					t.Errorf("%s %q: position %d mask %d type %d, want 1 and 0", want.name, c.Text, i, enc.AttentionMask[i], enc.TypeIDs[i])
					break
				}
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d of %d encodings differ from tokenizers", mismatches, 2*len(g.Cases))
	}
}
