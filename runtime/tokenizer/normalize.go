package tokenizer

import "unicode/utf8"

// normalizer is BertNormalizer: clean text, pad CJK ideographs with spaces,
// strip accents, lower-case, in that order (as tokenizers does).
type normalizer struct {
	cleanText    bool
	chineseChars bool
	stripAccents bool
	lowercase    bool
}

// appendNormalized appends the normalised form of s to dst as UTF-8.
func (n *normalizer) appendNormalized(dst []byte, s string) []byte {
	var tmp [8]rune
	for _, r := range s {
		if r < utf8.RuneSelf {
			info := &asciiTable[r]
			if n.cleanText {
				if info.removed {
					continue
				}
				if info.toSpace {
					dst = append(dst, ' ')
					continue
				}
			}
			if n.lowercase {
				dst = append(dst, info.lower)
			} else {
				dst = append(dst, byte(r))
			}
			continue
		}
		if n.cleanText {
			if r == utf8.RuneError || inRanges(cleanRemoved, r) {
				continue
			}
			if inRanges(cleanToSpace, r) {
				dst = append(dst, ' ')
				continue
			}
		}
		cjk := n.chineseChars && isChinese(r)
		if cjk {
			dst = append(dst, ' ')
		}
		for _, s := range n.fold(tmp[:0], r) {
			dst = utf8.AppendRune(dst, s)
		}
		if cjk {
			dst = append(dst, ' ')
		}
	}
	return dst
}

// fold applies strip_accents then lowercase to one code point.
func (n *normalizer) fold(dst []rune, r rune) []rune {
	start := len(dst)
	switch {
	case !n.stripAccents:
		dst = append(dst, r)
	case r >= hangulFirst && r <= hangulLast:
		dst = appendHangulNFD(dst, r)
	case inRanges(stripRemoved, r):
	default:
		if m, ok := stripAccents[r]; ok {
			for _, c := range m {
				dst = append(dst, c)
			}
		} else {
			dst = append(dst, r)
		}
	}
	if !n.lowercase {
		return dst
	}
	stripped := dst[start:]
	if len(stripped) == 1 {
		if l, ok := lowerCase[stripped[0]]; ok {
			dst = dst[:start]
			for _, c := range l {
				dst = append(dst, c)
			}
		}
		return dst
	}
	var out []rune
	for _, c := range stripped {
		if l, ok := lowerCase[c]; ok {
			for _, lc := range l {
				out = append(out, lc)
			}
		} else {
			out = append(out, c)
		}
	}
	return append(dst[:start], out...)
}
