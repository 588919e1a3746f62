// Package tokenizer is a Go BERT WordPiece tokenizer that reads a Hugging Face
// tokenizer.json and gives the same ids as the tokenizers library: BertNormalizer,
// BertPreTokenizer, WordPiece, a [CLS] … [SEP] template, right truncation.
// Anything else in tokenizer.json is refused by name rather than approximated.
package tokenizer

import (
	"strings"
)

// Encoding is one encoded text, unpadded: ids, mask and type ids have equal length.
type Encoding struct {
	IDs           []int64
	AttentionMask []int64
	TypeIDs       []int64
}

// Tokenizer encodes text. It is immutable and safe for concurrent use.
type Tokenizer struct {
	norm   *normalizer // nil: no normaliser
	model  *wordPiece
	added  []addedToken // special tokens matched in the raw text, longest first
	first  [256]bool    // first bytes of added tokens
	prefix []templatePiece
	suffix []templatePiece
	typeA  int64
	maxLen int // 0: no truncation
	padID  int64
}

type addedToken struct {
	content string
	id      int64
}

// templatePiece is a special token placed around the sequence.
type templatePiece struct{ id, typeID int64 }

// MaxLength is the truncation length (special tokens included); 0 means none.
func (t *Tokenizer) MaxLength() int { return t.maxLen }

// WithMaxLength returns a tokenizer that truncates to n tokens, special tokens
// included (the bundle's max_seq_length); n <= 0 turns truncation off. The
// receiver is unchanged; the vocabulary is shared.
func (t *Tokenizer) WithMaxLength(n int) *Tokenizer {
	c := *t
	c.maxLen = max(n, 0)
	return &c
}

// PadID is the id that pads a batch (the padding section's pad_id, else [PAD]).
func (t *Tokenizer) PadID() int64 { return t.padID }

// SpecialTokens is the number of special tokens a single sequence gets.
func (t *Tokenizer) SpecialTokens() int { return len(t.prefix) + len(t.suffix) }

// Encode tokenises one text. The result is never empty: an empty text still
// gets the template's special tokens.
func (t *Tokenizer) Encode(text string) Encoding {
	ids := make([]int64, 0, len(text)/3+t.SpecialTokens()+2)
	for _, id := range t.prefix {
		ids = append(ids, id.id)
	}
	ids = t.appendSequence(ids, text)
	body := ids[len(t.prefix):]
	if t.maxLen > 0 {
		if keep := t.maxLen - t.SpecialTokens(); len(body) > keep {
			ids = ids[:len(t.prefix)+max(keep, 0)]
		}
	}
	for _, id := range t.suffix {
		ids = append(ids, id.id)
	}
	enc := Encoding{IDs: ids, AttentionMask: make([]int64, len(ids)), TypeIDs: make([]int64, len(ids))}
	for i := range ids {
		enc.AttentionMask[i] = 1
	}
	for i, p := range t.prefix {
		enc.TypeIDs[i] = p.typeID
	}
	for i := len(t.prefix); i < len(ids)-len(t.suffix); i++ {
		enc.TypeIDs[i] = t.typeA
	}
	for i, p := range t.suffix {
		enc.TypeIDs[len(ids)-len(t.suffix)+i] = p.typeID
	}
	return enc
}

// appendSequence appends the ids of text: added tokens are matched in the raw
// text first, and what lies between them is normalised, split and WordPieced.
func (t *Tokenizer) appendSequence(ids []int64, text string) []int64 {
	var scratch []byte // the normalised segment, reused across segments
	var words []span
	rest := text
	for len(rest) > 0 {
		at, tok := t.nextAdded(rest)
		segment := rest[:at]
		if len(segment) > 0 {
			scratch = scratch[:0]
			if t.norm != nil {
				scratch = t.norm.appendNormalized(scratch, segment)
			} else {
				scratch = append(scratch, segment...)
			}
			words = appendWords(words[:0], scratch)
			for _, w := range words {
				ids = t.model.appendIDs(ids, scratch[w.start:w.end])
			}
		}
		if tok == nil {
			break
		}
		ids = append(ids, tok.id)
		rest = rest[at+len(tok.content):]
	}
	return ids
}

// nextAdded finds the leftmost, then longest, added token in s; at is len(s)
// when there is none.
func (t *Tokenizer) nextAdded(s string) (at int, tok *addedToken) {
	if len(t.added) == 0 {
		return len(s), nil
	}
	for i := 0; i < len(s); i++ {
		if !t.first[s[i]] {
			continue
		}
		for j := range t.added {
			if strings.HasPrefix(s[i:], t.added[j].content) {
				return i, &t.added[j] // added is sorted longest first
			}
		}
	}
	return len(s), nil
}
