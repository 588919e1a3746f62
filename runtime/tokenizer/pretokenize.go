package tokenizer

import "unicode/utf8"

// appendWords is BertPreTokenizer: split on white space (dropped) and on
// punctuation (each mark a word of its own). It appends byte ranges of s.
func appendWords(dst []span, s []byte) []span {
	start := -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		var split, punct bool
		if r < utf8.RuneSelf {
			info := &asciiTable[r]
			split, punct = info.split, info.punct
		} else {
			r, size = utf8.DecodeRune(s[i:])
			split = inRanges(splitSpace, r)
			punct = !split && inRanges(punctuation, r)
		}
		switch {
		case split:
			if start >= 0 {
				dst = append(dst, span{start, i})
				start = -1
			}
		case punct:
			if start >= 0 {
				dst = append(dst, span{start, i})
				start = -1
			}
			dst = append(dst, span{i, i + size})
		default:
			if start < 0 {
				start = i
			}
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, span{start, len(s)})
	}
	return dst
}

// span is a half-open byte range.
type span struct{ start, end int }
