package defcheck

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one reason a definition would be refused or would misbehave.
type Problem struct {
	// Path is the RFC 6901 JSON pointer of the offending value; "" is the whole definition.
	Path string `json:"path"`
	// Message says what is wrong and, where it is not obvious, how to fix it.
	Message string `json:"message"`
}

func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "(definition)"
	}
	return path + ": " + p.Message
}

// pointer builds a JSON pointer from reference tokens, escaping "~" and "/".
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// child appends tokens to an existing pointer.
func child(ptr string, tokens ...string) string { return ptr + pointer(tokens...) }

func index(i int) string { return strconv.Itoa(i) }

// sortProblems orders problems by path, comparing array indexes as numbers so /Steps/2 comes
// before /Steps/10, then by message, and drops exact duplicates (a value can fail the same way
// through two schema branches).
func sortProblems(ps []Problem) []Problem {
	slices.SortFunc(ps, func(a, b Problem) int {
		if c := comparePointers(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.Compact(ps)
}

func comparePointers(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		ai, aerr := strconv.Atoi(as[i])
		bi, berr := strconv.Atoi(bs[i])
		if aerr == nil && berr == nil {
			return cmp.Compare(ai, bi)
		}
		return strings.Compare(as[i], bs[i])
	}
	return cmp.Compare(len(as), len(bs))
}
