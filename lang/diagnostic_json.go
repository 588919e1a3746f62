package lang

import (
	"bufio"
	"bytes"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/zclconf/go-cty/cty"
)

// JSONDiagnostic is the machine-readable form of a diagnostic. The human
// form is rendered from it, so the two never disagree.
type JSONDiagnostic struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail,omitempty"`
	Range    *JSONRange   `json:"range,omitempty"`
	Snippet  *JSONSnippet `json:"snippet,omitempty"`
}

// JSONRange is a source range; lines and columns count from 1.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONPos is a position in a source file.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// JSONSnippet is the source around a diagnostic's range.
type JSONSnippet struct {
	// Context is the enclosing block, such as `finetune "intent"`.
	Context string `json:"context,omitempty"`
	// Code holds the lines of the range, StartLine being the first.
	Code      string `json:"code"`
	StartLine int    `json:"start_line"`
	// HighlightStart and HighlightEnd are byte offsets into Code.
	HighlightStart int `json:"highlight_start_offset"`
	HighlightEnd   int `json:"highlight_end_offset"`
	// Values are the values of the references in the failing expression.
	Values []JSONExprValue `json:"values,omitempty"`
}

// JSONExprValue describes one reference's value at the failing expression.
type JSONExprValue struct {
	Traversal string `json:"traversal"`
	Statement string `json:"statement"`
}

// NewJSONDiagnostic converts a diagnostic, reading snippets from files.
func NewJSONDiagnostic(d *hcl.Diagnostic, files map[string]*hcl.File) JSONDiagnostic {
	out := JSONDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		out.Severity = "warning"
	}
	if d.Subject == nil {
		return out
	}
	r := *d.Subject
	out.Range = &JSONRange{
		Filename: r.Filename,
		Start:    JSONPos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      JSONPos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
	f := files[r.Filename]
	if f == nil || f.Bytes == nil {
		return out
	}
	snip := &JSONSnippet{StartLine: r.Start.Line}
	snip.Context = hcled.ContextString(f, r.Start.Byte-1)
	var code strings.Builder
	sc := hcl.NewRangeScanner(f.Bytes, r.Filename, bufio.ScanLines)
	first := true
	for sc.Scan() {
		lr := sc.Range()
		if !lr.Overlaps(r) && !(r.Empty() && lr.ContainsOffset(r.Start.Byte)) && lr.Start.Line != r.Start.Line {
			continue
		}
		if first {
			snip.StartLine = lr.Start.Line
			snip.HighlightStart = code.Len() + max(0, r.Start.Byte-lr.Start.Byte)
			first = false
		}
		line := sc.Bytes()
		if lr.ContainsOffset(r.End.Byte) || lr.End.Byte == r.End.Byte {
			snip.HighlightEnd = code.Len() + max(0, r.End.Byte-lr.Start.Byte)
		}
		if code.Len() > 0 {
			code.WriteByte('\n')
		}
		code.Write(bytes.TrimRight(line, "\r"))
	}
	snip.Code = code.String()
	if snip.HighlightEnd < snip.HighlightStart {
		snip.HighlightEnd = len(snip.Code)
	}
	snip.HighlightEnd = min(snip.HighlightEnd, len(snip.Code))
	snip.HighlightStart = min(snip.HighlightStart, snip.HighlightEnd)
	snip.Values = exprValues(d)
	out.Snippet = snip
	return out
}

// exprValues describes the values of the references in the failing
// expression, like Terraform's "var.x is "abc"", so a reader sees why.
func exprValues(d *hcl.Diagnostic) []JSONExprValue {
	if d.Expression == nil || d.EvalContext == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []JSONExprValue
	for _, t := range d.Expression.Variables() {
		var b strings.Builder
		b.WriteString(t.RootName())
		for _, step := range t[1:] {
			switch s := step.(type) {
			case hcl.TraverseAttr:
				b.WriteString("." + s.Name)
			default:
				b.WriteString("[…]")
			}
		}
		name := b.String()
		if seen[name] {
			continue
		}
		seen[name] = true
		v, diags := t.TraverseAbs(d.EvalContext)
		if diags.HasErrors() {
			continue
		}
		out = append(out, JSONExprValue{Traversal: name, Statement: describeValue(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Traversal < out[j].Traversal })
	return out
}

func describeValue(v cty.Value) string {
	if len(RuntimeParams(v)) > 0 {
		return "is resolved by SageMaker at run time"
	}
	if v.ContainsMarked() {
		if _, pvms := v.UnmarkDeepWithPaths(); len(pvms) > 0 {
			for _, pvm := range pvms {
				if _, ok := pvm.Marks[SensitiveMark{}]; ok {
					return "is sensitive"
				}
			}
		}
	}
	v, _ = v.UnmarkDeep()
	switch {
	case !v.IsKnown():
		return "is not known until a value is given (validate uses no values)"
	case v.IsNull():
		return "is null"
	case v.Type() == cty.String:
		return "is " + quote(v.AsString())
	case v.Type() == cty.Number:
		return "is " + v.AsBigFloat().Text('g', -1)
	case v.Type() == cty.Bool:
		if v.True() {
			return "is true"
		}
		return "is false"
	case v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType():
		return "is a list of " + itoa(v.LengthInt()) + " elements"
	case v.Type().IsObjectType() || v.Type().IsMapType():
		return "is an object"
	}
	return "is a " + v.Type().FriendlyName()
}
