package compiler

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// evaluator turns expressions into Go values, collecting diagnostics. Each
// method returns ok=false when the value is absent, unknown (validate mode)
// or wrong; callers then skip the checks that need it.
type evaluator struct {
	scope  *lang.Scope
	diags  hcl.Diagnostics
	params map[string]string // HCL name -> SageMaker name
	// ptypes holds each parameter's type, by SageMaker name.
	ptypes map[string]ir.ParamType
	// secrets are the string values of sensitive variables.
	secrets []string
	// blockNames lists the declared names of each block type, for
	// suggestions.
	blockNames map[string][]string
}

func (e *evaluator) add(d ...*hcl.Diagnostic) { e.diags = append(e.diags, d...) }

func (e *evaluator) errorf(rng hcl.Range, summary, format string, args ...any) {
	e.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: e.redact(fmt.Sprintf(format, args...)), Subject: rng.Ptr()})
}

// redact hides the values of sensitive variables in messages that quote
// what was written.
func (e *evaluator) redact(msg string) string {
	for _, s := range e.secrets {
		msg = strings.ReplaceAll(msg, s, "(sensitive)")
	}
	return msg
}

func isAbsent(expr hcl.Expression) bool {
	if expr == nil {
		return true
	}
	if len(expr.Variables()) > 0 {
		return false
	}
	v, diags := expr.Value(nil)
	return !diags.HasErrors() && v.IsNull()
}

// value evaluates a compile-time value; what names the attribute for the
// run-time diagnostic.
func (e *evaluator) value(expr hcl.Expression, ty cty.Type, what string) (cty.Value, bool) {
	if isAbsent(expr) {
		return cty.NilVal, false
	}
	v, diags := e.scope.Eval(expr, ty)
	e.add(diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if ps := lang.RuntimeParams(v); len(ps) > 0 {
		e.add(lang.RuntimeNotAllowed(expr, what, ps))
		return cty.NilVal, false
	}
	if lang.IsSensitive(v) {
		e.add(lang.SensitiveInArtifact(expr, what))
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() || v.IsNull() {
		if v.IsNull() {
			return cty.NilVal, false
		}
		return v, false
	}
	v, _ = v.UnmarkDeep()
	return v, true
}

func (e *evaluator) str(expr hcl.Expression, what string) (string, bool) {
	v, ok := e.value(expr, cty.String, what)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (e *evaluator) boolean(expr hcl.Expression, what string, def bool) bool {
	v, ok := e.value(expr, cty.Bool, what)
	if !ok {
		return def
	}
	return v.True()
}

func (e *evaluator) number(expr hcl.Expression, what string) (*big.Float, bool) {
	v, ok := e.value(expr, cty.Number, what)
	if !ok {
		return nil, false
	}
	return v.AsBigFloat(), true
}

// integer evaluates a whole number within [lo, hi].
func (e *evaluator) integer(expr hcl.Expression, what string, lo, hi int64) (int64, bool) {
	f, ok := e.number(expr, what)
	if !ok {
		return 0, false
	}
	if !f.IsInt() {
		e.errorf(expr.Range(), "Whole number required", "%s must be a whole number; %s is not.", what, f.Text('g', 10))
		return 0, false
	}
	i, acc := f.Int64()
	if acc != big.Exact || i < lo || i > hi {
		e.errorf(expr.Range(), "Value out of range", "%s must be between %d and %d; %s is not.", what, lo, hi, f.Text('g', 10))
		return 0, false
	}
	return i, true
}

// intOr returns the whole number, or def when the attribute is absent.
func (e *evaluator) intOr(expr hcl.Expression, what string, lo, hi int64, def int) int {
	if isAbsent(expr) {
		return def
	}
	i, _ := e.integer(expr, what, lo, hi)
	return int(i)
}

// float evaluates a number within [lo, hi].
func (e *evaluator) float(expr hcl.Expression, what string, lo, hi float64) (float64, bool) {
	f, ok := e.number(expr, what)
	if !ok {
		return 0, false
	}
	x, _ := f.Float64()
	if math.IsNaN(x) || x < lo || x > hi {
		e.errorf(expr.Range(), "Value out of range", "%s must be between %g and %g; %g is not.", what, lo, hi, x)
		return 0, false
	}
	return x, true
}

func (e *evaluator) floatOr(expr hcl.Expression, what string, lo, hi, def float64) float64 {
	if isAbsent(expr) {
		return def
	}
	x, _ := e.float(expr, what, lo, hi)
	return x
}

func (e *evaluator) strings(expr hcl.Expression, what string) ([]string, bool) {
	v, ok := e.value(expr, cty.List(cty.String), what)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsNull() {
			e.errorf(expr.Range(), "Null in a list", "%s must not contain null; remove the element.", what)
			return nil, false
		}
		out = append(out, el.AsString())
	}
	return out, true
}

func (e *evaluator) stringMap(expr hcl.Expression, what string) (map[string]string, bool) {
	v, ok := e.value(expr, cty.Map(cty.String), what)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, el := it.Element()
		if el.IsNull() {
			e.errorf(expr.Range(), "Null in a map", "%s must not contain null: the value of %q is null; remove the entry.", what, k.AsString())
			return nil, false
		}
		out[k.AsString()] = el.AsString()
	}
	return out, true
}

// duration reads a Go duration string ("90m", "2h") or a number of seconds.
func (e *evaluator) duration(expr hcl.Expression, what string) (int, bool) {
	v, ok := e.value(expr, cty.DynamicPseudoType, what)
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case cty.Number:
		f, _ := v.AsBigFloat().Int64()
		if f <= 0 {
			e.errorf(expr.Range(), "Invalid duration", "%s must be positive.", what)
			return 0, false
		}
		return int(f), true
	case cty.String:
		d, err := time.ParseDuration(v.AsString())
		if err != nil || d <= 0 || d%time.Second != 0 {
			e.errorf(expr.Range(), "Invalid duration", "%s must be a positive whole number of seconds written as a duration such as \"90m\" or \"2h30m\"; %q is not.", what, v.AsString())
			return 0, false
		}
		return int(d / time.Second), true
	}
	e.errorf(expr.Range(), "Invalid duration", "%s must be a duration such as \"90m\" or a number of seconds.", what)
	return 0, false
}

// oneOf evaluates a string that must be one of allowed.
func (e *evaluator) oneOf(expr hcl.Expression, what string, allowed ...string) (string, bool) {
	s, ok := e.str(expr, what)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	e.errorf(expr.Range(), "Invalid value", "%s must be one of %s; %q is not.%s", what, strings.Join(quoted, ", "), s, closest(s, allowed))
	return "", false
}

func closest(s string, allowed []string) string { return lang.DidYouMean(allowed, s) }

// runtimeValue evaluates an attribute that may use pipeline parameters. A
// plain reference compiles to a Get of the parameter, a string template of
// literals and parameters to a run-time join; other uses of a parameter
// cannot be evaluated by SageMaker and are refused.
func (e *evaluator) runtimeValue(expr hcl.Expression, ty cty.Type, what string) (ir.Value, bool) {
	if isAbsent(expr) {
		return ir.Value{}, false
	}
	v, diags := e.scope.Eval(expr, ty)
	e.add(diags...)
	if diags.HasErrors() {
		return ir.Value{}, false
	}
	if lang.IsSensitive(v) {
		e.add(lang.SensitiveInArtifact(expr, what))
		return ir.Value{}, false
	}
	if len(lang.RuntimeParams(v)) == 0 {
		if !v.IsWhollyKnown() || v.IsNull() {
			return ir.Value{}, false
		}
		return literal(v), true
	}
	if p, ok := e.paramRef(expr); ok {
		if !e.paramFits(expr, p, ty, what) {
			return ir.Value{}, false
		}
		return ir.Value{Param: p}, true
	}
	if tmpl, ok := expr.(*hclsyntax.TemplateExpr); ok && ty == cty.String {
		var parts []ir.Value
		for _, part := range tmpl.Parts {
			if p, ok := e.paramRef(part); ok {
				if !e.paramFits(part, p, ty, what) {
					return ir.Value{}, false
				}
				parts = append(parts, ir.Value{Param: p})
				continue
			}
			pv, pdiags := e.scope.Eval(part, cty.String)
			e.add(pdiags...)
			if pdiags.HasErrors() {
				return ir.Value{}, false
			}
			if len(lang.RuntimeParams(pv)) > 0 {
				e.add(runtimeTooComplex(part, what))
				return ir.Value{}, false
			}
			if !pv.IsKnown() {
				return ir.Value{}, false
			}
			parts = append(parts, literal(pv))
		}
		return ir.Value{Join: parts}, true
	}
	e.add(runtimeTooComplex(expr, what))
	return ir.Value{}, false
}

// paramFits checks a parameter's SageMaker type against the attribute's:
// SageMaker substitutes the value as it is, so a Float cannot stand where a
// string is read, nor a String where a number is compared.
func (e *evaluator) paramFits(expr hcl.Expression, param string, ty cty.Type, what string) bool {
	pt := e.ptypes[param]
	ok := (ty == cty.String && pt == ir.ParamString) || (ty == cty.Number && (pt == ir.ParamFloat || pt == ir.ParamInteger))
	if !ok {
		want := "string"
		if ty == cty.Number {
			want = "float or integer"
		}
		e.errorf(expr.Range(), "Parameter of the wrong type", "%s needs a %s parameter, but this one is %s. Declare the parameter with type = %s.", what, want, pt, strings.Fields(want)[0])
	}
	return ok
}

func runtimeTooComplex(expr hcl.Expression, what string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Run-time parameter in an expression SageMaker cannot evaluate",
		Detail: fmt.Sprintf("%s accepts a pipeline parameter, but only on its own (param.NAME) or interpolated into a string (\"s3://bucket/${param.NAME}/\"): SageMaker resolves parameters when the pipeline runs and cannot apply functions or operators to them.",
			what),
		Subject: expr.Range().Ptr(),
	}
}

// paramRef recognises param.NAME, also wrapped as "${param.NAME}".
func (e *evaluator) paramRef(expr hcl.Expression) (string, bool) {
	if w, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = w.Wrapped
	}
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 || st.Traversal.RootName() != lang.RootParam {
		return "", false
	}
	a, ok := st.Traversal[1].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	sm, ok := e.params[a.Name]
	return sm, ok
}

func literal(v cty.Value) ir.Value {
	v, _ = v.UnmarkDeep()
	switch v.Type() {
	case cty.String:
		return ir.Lit(v.AsString())
	case cty.Bool:
		return ir.Lit(v.True())
	case cty.Number:
		f := v.AsBigFloat()
		if i, acc := f.Int64(); acc == big.Exact && f.IsInt() {
			return ir.Lit(i)
		}
		x, _ := f.Float64()
		return ir.Lit(x)
	}
	return ir.Lit(nil)
}

// ref reads a linking attribute such as `data = prepare.intents`: a bare
// reference to a block of the given type, which must exist.
func (e *evaluator) ref(expr hcl.Expression, blockType string, exists func(string) bool, what string) (string, bool) {
	if isAbsent(expr) {
		return "", false
	}
	t, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(t) != 2 {
		e.errorf(expr.Range(), "Invalid reference", "%s must be a reference to a %s block, written without quotes, such as %s.NAME.", what, blockType, blockType)
		return "", false
	}
	a, ok := t[1].(hcl.TraverseAttr)
	if t.RootName() != blockType || !ok {
		e.errorf(expr.Range(), "Invalid reference", "%s must refer to a %s block (%s.NAME), not to %s.", what, blockType, blockType, t.RootName())
		return "", false
	}
	if !exists(a.Name) {
		e.errorf(expr.Range(), "Reference to undeclared block", "There is no %s block named %q. Declare one with %s %q { ... }, or fix the name.%s", blockType, a.Name, blockType, a.Name, lang.DidYouMean(e.blockNames[blockType], a.Name))
		return "", false
	}
	return a.Name, true
}

// refs reads a list of references, such as gates = [gate.quality].
func (e *evaluator) refs(expr hcl.Expression, blockType string, exists func(string) bool, what string) []string {
	if isAbsent(expr) {
		return nil
	}
	items, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		e.errorf(expr.Range(), "Invalid reference list", "%s must be a list of %s references, such as [%s.NAME].", what, blockType, blockType)
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if name, ok := e.ref(it, blockType, exists, what); ok && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// quietRefs lists the block names a reference list names, without
// diagnostics (ref already reported them where it read the list).
func (e *evaluator) quietRefs(expr hcl.Expression) []string {
	if isAbsent(expr) {
		return nil
	}
	items, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return nil
	}
	var out []string
	for _, it := range items {
		if t, d := hcl.AbsTraversalForExpr(it); !d.HasErrors() && len(t) == 2 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				out = append(out, a.Name)
			}
		}
	}
	return out
}
