package tokenizer

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// minimal is a small tokenizer.json; tests patch one section at a time.
func minimal(t *testing.T, patch func(m map[string]any)) []byte {
	t.Helper()
	m := map[string]any{
		"added_tokens": []any{
			map[string]any{"id": 0, "content": "[PAD]", "special": true},
			map[string]any{"id": 1, "content": "[UNK]", "special": true},
			map[string]any{"id": 2, "content": "[CLS]", "special": true},
			map[string]any{"id": 3, "content": "[SEP]", "special": true},
		},
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"post_processor": map[string]any{
			"type": "BertProcessing", "sep": []any{"[SEP]", 3}, "cls": []any{"[CLS]", 2},
		},
		"model": map[string]any{
			"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
			"vocab": map[string]any{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "play": 4, "##ing": 5, "cafe": 6, "!": 7, "中": 8},
		},
	}
	if patch != nil {
		patch(m)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEncodeMinimal(t *testing.T) {
	tok, err := Parse(minimal(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		max  int
		want []int64
	}{
		{"Playing!", 0, []int64{2, 4, 5, 7, 3}},
		{"CAFÉ 中", 0, []int64{2, 6, 8, 3}},
		{"plays", 0, []int64{2, 1, 3}},
		{"[CLS]play", 0, []int64{2, 2, 4, 3}},
		{"", 0, []int64{2, 3}},
		{"playing playing", 4, []int64{2, 4, 5, 3}},
		{"playing", 3, []int64{2, 4, 3}},
	} {
		got := tok.WithMaxLength(tc.max).Encode(tc.text)
		if !slices.Equal(got.IDs, tc.want) {
			t.Errorf("Encode(%q) max %d = %v, want %v", tc.text, tc.max, got.IDs, tc.want)
		}
	}
	if tok.PadID() != 0 || tok.SpecialTokens() != 2 {
		t.Fatalf("pad id %d, special tokens %d", tok.PadID(), tok.SpecialTokens())
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch func(m map[string]any)
		want  string
	}{
		{"BPE model", func(m map[string]any) { m["model"].(map[string]any)["type"] = "BPE" }, `model type "BPE" is not implemented`},
		{"Unigram model", func(m map[string]any) { m["model"] = map[string]any{"type": "Unigram"} }, `model type "Unigram"`},
		{"no model", func(m map[string]any) { delete(m, "model") }, "has no model"},
		{"unk not in vocab", func(m map[string]any) { m["model"].(map[string]any)["unk_token"] = "<unk>" }, `unk_token "<unk>" is not in the vocab`},
		{"NFKC normalizer", func(m map[string]any) { m["normalizer"] = map[string]any{"type": "NFKC"} }, `normalizer "NFKC" is not implemented`},
		{"Metaspace pre-tokenizer", func(m map[string]any) { m["pre_tokenizer"] = map[string]any{"type": "Metaspace"} }, `pre_tokenizer "Metaspace"`},
		{"no pre-tokenizer", func(m map[string]any) { delete(m, "pre_tokenizer") }, "has no pre_tokenizer"},
		{"RobertaProcessing", func(m map[string]any) { m["post_processor"] = map[string]any{"type": "RobertaProcessing"} }, `post_processor "RobertaProcessing"`},
		{"left truncation", func(m map[string]any) { m["truncation"] = map[string]any{"max_length": 8, "direction": "Left"} }, `truncation direction "Left"`},
		{"lstrip added token", func(m map[string]any) {
			m["added_tokens"] = []any{map[string]any{"id": 9, "content": "<mask>", "lstrip": true}}
		}, `added token "<mask>"`},
		{"not JSON", func(m map[string]any) { m["model"] = "x" }, "parse model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(minimal(t, tc.patch))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
	if _, err := Load("does-not-exist.json"); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestTruncationFromFile(t *testing.T) {
	tok, err := Load(tokenizerPath)
	if err != nil {
		t.Fatal(err)
	}
	if tok.MaxLength() != 128 {
		t.Fatalf("max length %d, want the file's 128", tok.MaxLength())
	}
	long := strings.Repeat("hello ", 500)
	if n := len(tok.Encode(long).IDs); n != 128 {
		t.Fatalf("%d ids, want 128", n)
	}
	if n := len(tok.WithMaxLength(0).Encode(long).IDs); n != 502 {
		t.Fatalf("%d ids untruncated, want 502", n)
	}
}

// BenchmarkEncode measures the tokeniser per CLINC150 test utterance.
func BenchmarkEncode(b *testing.B) {
	data, err := os.ReadFile("../testdata/clinc150/test.json")
	if err != nil {
		b.Fatal(err)
	}
	var rows [][2]string
	if err := json.Unmarshal(data, &rows); err != nil {
		b.Fatal(err)
	}
	tok, err := Load(tokenizerPath)
	if err != nil {
		b.Fatal(err)
	}
	tok = tok.WithMaxLength(64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tok.Encode(rows[i%len(rows)][0])
	}
}

// FuzzEncode: any input, valid UTF-8 or not, encodes without panicking into
// ids of the vocabulary, framed by [CLS] and [SEP], within the length limit.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "hello [MASK] world", "Café 東京 😀", "\xff\xfe", "[CLS", strings.Repeat("ab ", 50), "\u0301\u0301x"} {
		f.Add(s)
	}
	tok, err := Load(tokenizerPath)
	if err != nil {
		f.Fatal(err)
	}
	tok = tok.WithMaxLength(32)
	size := int64(len(tok.model.vocab))
	f.Fuzz(func(t *testing.T, s string) {
		enc := tok.Encode(s)
		n := len(enc.IDs)
		if n < 2 || n > 32 || len(enc.AttentionMask) != n || len(enc.TypeIDs) != n {
			t.Fatalf("%q: %d ids", s, n)
		}
		if enc.IDs[0] != 101 || enc.IDs[n-1] != 102 {
			t.Fatalf("%q: ids %v not framed by [CLS] and [SEP]", s, enc.IDs)
		}
		for _, id := range enc.IDs {
			if id < 0 || id >= size {
				t.Fatalf("%q: id %d outside the vocabulary", s, id)
			}
		}
	})
}
