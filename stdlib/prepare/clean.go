package prepare

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Clean applies the configured normalisations to a text, so that texts that
// read the same compare equal in de-duplication. Lower-casing runs before NFC
// because lower-casing can leave a string that is not NFC (a capital letter
// with a combining mark lower-cases to a base and a mark that compose); with
// NFC last, the result is always NFC and cleaning twice changes nothing.
func Clean(text string, c CleaningConfig) string {
	// Invalid UTF-8 (possible in CSV input) would be replaced by the JSON
	// encoder anyway; doing it first keeps the digest, the length checks and
	// the written text consistent.
	text = strings.ToValidUTF8(text, "\uFFFD")
	if c.Lowercase {
		text = strings.ToLower(text)
	}
	if c.UnicodeNFC {
		text = norm.NFC.String(text)
	}
	if c.CollapseWhitespace {
		text = collapseSpace(text)
	}
	return text
}

// collapseSpace trims the text and replaces every run of Unicode white space
// (including tabs, newlines and no-break spaces) with one ASCII space.
func collapseSpace(s string) string {
	if collapsedASCII(s) {
		return s // the common case: nothing to do, nothing to allocate
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// collapsedASCII reports whether s is ASCII with single inner spaces and no
// other white space, so collapsing would not change it. Non-ASCII text takes
// the full path, since it may hold Unicode spaces.
func collapsedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return false
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		}
	}
	return true
}

// cleanLabel trims a label: labels are identifiers, so surrounding white
// space is never meaningful, but their case is.
func cleanLabel(label string) string {
	return strings.TrimSpace(strings.ToValidUTF8(label, "\uFFFD"))
}
