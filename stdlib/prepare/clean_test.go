package prepare

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestClean(t *testing.T) {
	all := CleaningConfig{UnicodeNFC: true, CollapseWhitespace: true, Lowercase: true}
	tests := []struct {
		name string
		in   string
		cfg  CleaningConfig
		want string
	}{
		{"nothing enabled keeps the text", "  Café\tOK ", CleaningConfig{}, "  Café\tOK "},
		{"NFC composes e + combining acute", "Cafe\u0301", CleaningConfig{UnicodeNFC: true}, "Caf\u00e9"},
		{"NFC composes hangul jamo", "\u1100\u1161", CleaningConfig{UnicodeNFC: true}, "\uac00"},
		{"NFC keeps compatibility characters (not NFKC)", "\ufb01le", CleaningConfig{UnicodeNFC: true}, "\ufb01le"},
		{"without NFC the decomposed form stays", "Cafe\u0301", CleaningConfig{Lowercase: true}, "cafe\u0301"},
		{"collapse trims and joins runs", "  book \t a\n\nflight  ", CleaningConfig{CollapseWhitespace: true}, "book a flight"},
		{"collapse treats no-break and ideographic spaces as space", "a\u00a0\u00a0b\u3000c", CleaningConfig{CollapseWhitespace: true}, "a b c"},
		{"collapse keeps collapsed ASCII as is", "book a flight", CleaningConfig{CollapseWhitespace: true}, "book a flight"},
		{"collapse handles vertical tab and form feed", "a\v\fb\r", CleaningConfig{CollapseWhitespace: true}, "a b"},
		{"collapse of only white space is empty", " \t\n ", CleaningConfig{CollapseWhitespace: true}, ""},
		{"lowercase is Unicode-aware", "ÉCOLE ΣΟΦΊΑ", CleaningConfig{Lowercase: true}, "école σοφία"},
		{"all three", " CAFE\u0301\u00a0 Au  Lait ", all, "café au lait"},
		{"invalid UTF-8 becomes U+FFFD", "ab\xffcd", CleaningConfig{}, "ab\ufffdcd"},
		{"emoji survive", "hi  👋🏽", all, "hi 👋🏽"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in, tt.cfg); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzClean checks the properties de-duplication relies on: cleaning is
// idempotent, the result is valid UTF-8, NFC when asked, and trimmed with
// single spaces when asked.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", " a  b ", "Cafe\u0301", "\u0130stanbul", "ΣΑΣ", "a\u00a0\u0301", "\xff\xfe", "\u1100\u1161\u11a8", "ǅ\u0301"} {
		f.Add(s)
	}
	all := CleaningConfig{UnicodeNFC: true, CollapseWhitespace: true, Lowercase: true}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s, all)
		if again := Clean(got, all); again != got {
			t.Errorf("Clean is not idempotent on %q: %q then %q", s, got, again)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Clean(%q) = %q is not valid UTF-8", s, got)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("Clean(%q) = %q is not NFC", s, got)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Errorf("Clean(%q) = %q is not collapsed", s, got)
		}
	})
}
