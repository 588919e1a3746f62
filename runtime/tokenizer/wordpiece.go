package tokenizer

import "unicode/utf8"

// wordPiece is the greedy longest-match-first WordPiece model.
type wordPiece struct {
	vocab map[string]int64
	// continued holds the pieces that may follow another piece, keyed without
	// the continuing-subword prefix so lookups need no string building.
	continued   map[string]int64
	unkID       int64
	maxWordRune int
}

// appendIDs appends the ids of one pre-tokenised word.
func (w *wordPiece) appendIDs(dst []int64, word []byte) []int64 {
	if utf8.RuneCount(word) > w.maxWordRune {
		return append(dst, w.unkID)
	}
	mark := len(dst)
	for start := 0; start < len(word); {
		end := len(word)
		found := false
		for end > start {
			var id int64
			var ok bool
			if start == 0 {
				id, ok = w.vocab[string(word[start:end])]
			} else {
				id, ok = w.continued[string(word[start:end])]
			}
			if ok {
				dst = append(dst, id)
				found = true
				break
			}
			// Step back one code point.
			end--
			for end > start && !utf8.RuneStart(word[end]) {
				end--
			}
		}
		if !found {
			return append(dst[:mark], w.unkID)
		}
		start = end
	}
	return dst
}
