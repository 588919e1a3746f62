package tokenizer

import "sort"

// runeRange is an inclusive range of code points in a generated table.
type runeRange struct{ lo, hi rune }

func inRanges(table []runeRange, r rune) bool {
	i := sort.Search(len(table), func(i int) bool { return table[i].hi >= r })
	return i < len(table) && table[i].lo <= r
}

// isChinese reports the CJK ideograph blocks BertNormalizer pads with spaces;
// the list is the reference implementation's (tokenizers normalizers/bert.rs),
// which is not Unicode's Han script.
func isChinese(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF,
		r >= 0x3400 && r <= 0x4DBF,
		r >= 0x20000 && r <= 0x2A6DF,
		r >= 0x2A700 && r <= 0x2B73F,
		r >= 0x2B740 && r <= 0x2B81F,
		r >= 0x2B920 && r <= 0x2CEAF,
		r >= 0xF900 && r <= 0xFAFF,
		r >= 0x2F800 && r <= 0x2FA1F:
		return true
	}
	return false
}

// Hangul syllables decompose algorithmically under NFD (Unicode §3.12); the
// generator checks that the reference agrees for every syllable.
const (
	hangulFirst = 0xAC00
	hangulLast  = 0xD7A3
)

func appendHangulNFD(dst []rune, r rune) []rune {
	s := r - hangulFirst
	dst = append(dst, 0x1100+s/588, 0x1161+(s%588)/28)
	if t := s % 28; t != 0 {
		dst = append(dst, 0x11A7+t)
	}
	return dst
}

// asciiInfo caches the tables' answers for ASCII, the common case, so the hot
// path needs no search. It is computed once from the generated tables.
type asciiInfo struct {
	removed, toSpace, punct, split bool
	lower                          byte
}

var asciiTable = func() (t [128]asciiInfo) {
	for c := range rune(128) {
		info := asciiInfo{
			removed: c == 0 || inRanges(cleanRemoved, c),
			toSpace: inRanges(cleanToSpace, c),
			punct:   inRanges(punctuation, c),
			split:   inRanges(splitSpace, c),
			lower:   byte(c),
		}
		if l, ok := lowerCase[c]; ok && len(l) == 1 {
			info.lower = l[0]
		}
		t[c] = info
	}
	return t
}()
