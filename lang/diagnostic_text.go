package lang

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

func quote(s string) string { return strconv.Quote(s) }
func itoa(i int) string     { return strconv.Itoa(i) }

// WriteDiagnostics renders diagnostics for people: severity and summary, the
// file:line:col, the numbered source lines with the range underlined, the
// values of the references involved, and the detail that says how to fix it.
// Errors come first, then warnings; identical warnings are consolidated.
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) error {
	var errs, warns []JSONDiagnostic
	warnCount := map[string]int{}
	for _, d := range diags {
		jd := NewJSONDiagnostic(d, files)
		if jd.Severity == "warning" {
			key := jd.Summary + "\x00" + jd.Detail
			warnCount[key]++
			if warnCount[key] > 1 {
				continue
			}
			warns = append(warns, jd)
			continue
		}
		errs = append(errs, jd)
	}
	for _, d := range append(errs, warns...) {
		text := RenderDiagnostic(d)
		if d.Severity == "warning" {
			if n := warnCount[d.Summary+"\x00"+d.Detail]; n > 1 {
				text += fmt.Sprintf("(and %d more like this)\n", n-1)
			}
		}
		if _, err := io.WriteString(w, text+"\n"); err != nil {
			return fmt.Errorf("writing diagnostics: %w", err)
		}
	}
	return nil
}

// RenderDiagnostic renders one diagnostic from its JSON form.
func RenderDiagnostic(d JSONDiagnostic) string {
	var b strings.Builder
	label := "Error"
	if d.Severity == "warning" {
		label = "Warning"
	}
	fmt.Fprintf(&b, "%s: %s\n", label, d.Summary)
	if d.Range != nil {
		fmt.Fprintf(&b, "\n  on %s:%d:%d", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column)
		if d.Snippet != nil && d.Snippet.Context != "" {
			fmt.Fprintf(&b, ", in %s", d.Snippet.Context)
		}
		b.WriteString(":\n")
		if s := d.Snippet; s != nil {
			writeSnippet(&b, s)
		}
	}
	if d.Detail != "" {
		b.WriteString("\n")
		for _, line := range strings.Split(d.Detail, "\n") {
			b.WriteString(strings.TrimRight(wrap(line, 100), " ") + "\n")
		}
	}
	return b.String()
}

func writeSnippet(b *strings.Builder, s *JSONSnippet) {
	lines := strings.Split(s.Code, "\n")
	width := len(strconv.Itoa(s.StartLine + len(lines) - 1))
	offset := 0
	for i, line := range lines {
		fmt.Fprintf(b, "  %*d | %s\n", width, s.StartLine+i, line)
		lineStart, lineEnd := offset, offset+len(line)
		hs, he := max(s.HighlightStart, lineStart), min(s.HighlightEnd, lineEnd)
		if hs < he || (hs == he && s.HighlightStart == s.HighlightEnd && hs >= lineStart && hs <= lineEnd && i == 0) {
			pad := columns(line[:hs-lineStart])
			n := max(1, columns(line[hs-lineStart:he-lineStart]))
			fmt.Fprintf(b, "  %*s | %s%s\n", width, "", strings.Repeat(" ", pad), strings.Repeat("^", n))
		}
		offset = lineEnd + 1
	}
	for _, v := range s.Values {
		fmt.Fprintf(b, "  %*s   %s %s\n", width, "", v.Traversal, v.Statement)
	}
}

// columns counts display columns, treating a tab as one column as editors
// that show the snippet verbatim do.
func columns(s string) int { return len([]rune(s)) }

func wrap(s string, width int) string {
	if len(s) <= width {
		return s
	}
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		if n > 0 && n+1+len(word) > width {
			b.WriteString("\n")
			n = 0
		} else if n > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
