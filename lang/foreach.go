package lang

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Repetition, with Terraform's semantics: a block with for_each (a map, or
// a set or list of strings) stands for one instance per element, addressed
// as TYPE.NAME["KEY"] and named NAME["KEY"]; inside it each.key and
// each.value are the element's key and value. A gate's `dynamic "threshold"`
// block likewise generates one threshold per element, with the iterator
// (threshold.key, threshold.value, or the name given by iterator) in scope.
//
// Expansion happens once variable values are known (ExpandRepetition):
// each instance is a copy of the declaration whose expressions are bound to
// its element, so the compiler evaluates them like any other.

// forEachBlocks are the block types that accept for_each.
var forEachBlocks = map[string]bool{
	BlockDataset: true, BlockPrepare: true, BlockFineTune: true, BlockEvaluate: true,
	BlockGate: true, BlockRegister: true, BlockEdgeTarget: true,
}

// RootEach is the name of the per-instance object in for_each blocks.
const RootEach = "each"

var forEachSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "for_each"}}}

// splitForEach takes the for_each meta-argument out of a block body, so the
// rest decodes as usual.
func splitForEach(block *hcl.Block) (hcl.Expression, hcl.Body, hcl.Diagnostics) {
	if !forEachBlocks[block.Type] {
		return nil, block.Body, nil
	}
	content, rest, diags := block.Body.PartialContent(forEachSchema)
	if a, ok := content.Attributes["for_each"]; ok {
		return a.Expr, rest, diags
	}
	return nil, rest, diags
}

// boundExpr evaluates an expression with one more name in scope: each (or a
// dynamic block's iterator) for one instance.
type boundExpr struct {
	hcl.Expression
	name     string
	key, val cty.Value
}

// Bind returns expr evaluated with name = {key, value} in scope.
func Bind(expr hcl.Expression, name string, key, val cty.Value) hcl.Expression {
	if expr == nil {
		return nil
	}
	return &boundExpr{Expression: expr, name: name, key: key, val: val}
}

func (b *boundExpr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	var child *hcl.EvalContext
	if ctx == nil {
		child = &hcl.EvalContext{}
	} else {
		child = ctx.NewChild()
	}
	child.Variables = map[string]cty.Value{b.name: cty.ObjectVal(map[string]cty.Value{"key": b.key, "value": b.val})}
	return b.Expression.Value(child)
}

// Variables leaves out the bound name: it is not a reference to check.
func (b *boundExpr) Variables() []hcl.Traversal {
	var out []hcl.Traversal
	for _, t := range b.Expression.Variables() {
		if t.RootName() != b.name {
			out = append(out, t)
		}
	}
	return out
}

// UnwrapExpression lets hcl.AbsTraversalForExpr see the written expression.
func (b *boundExpr) UnwrapExpression() hcl.Expression { return b.Expression }

// Rebind binds another expression (a part of this one) the same way.
func (b *boundExpr) Rebind(e hcl.Expression) hcl.Expression {
	return &boundExpr{Expression: e, name: b.name, key: b.key, val: b.val}
}

// Rebinder is implemented by bound expressions: parts taken apart from them
// (a template's parts, an index key) must keep the binding.
type Rebinder interface {
	Rebind(hcl.Expression) hcl.Expression
}

// InstanceName is the name of one for_each instance: NAME["KEY"].
func InstanceName(name, key string) string {
	return fmt.Sprintf("%s[%q]", name, key)
}

// forEachElements evaluates a for_each expression: a map (keys and values)
// or a set or list of strings (each.key = each.value). Unknown in validate
// mode: one stand-in instance with unknown key and value.
func (s *Scope) forEachElements(expr hcl.Expression, addr string) (keys []string, vals map[string]cty.Value, unknown bool, diags hcl.Diagnostics) {
	v, diags := s.Eval(expr, cty.DynamicPseudoType)
	if diags.HasErrors() {
		return nil, nil, false, diags
	}
	bad := func(why string) hcl.Diagnostics {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid for_each argument",
			Detail:   fmt.Sprintf("%s: for_each takes a map, or a set or list of strings, known when slm compiles (variables, locals); %s.", addr, why),
			Subject:  expr.Range().Ptr(),
		})
	}
	if ps := RuntimeParams(v); len(ps) > 0 {
		return nil, nil, false, bad("param." + ps[0] + " is known only when the pipeline runs")
	}
	if IsSensitive(v) {
		return nil, nil, false, bad("a sensitive value would become block names in the generated files")
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return nil, nil, true, diags
	}
	if v.IsNull() {
		return nil, nil, false, bad("it is null")
	}
	ty := v.Type()
	vals = map[string]cty.Value{}
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			keys = append(keys, k.AsString())
			vals[k.AsString()] = ev
		}
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if !ev.IsKnown() {
				return nil, nil, true, diags
			}
			if ev.IsNull() || !ev.Type().Equals(cty.String) {
				return nil, nil, false, bad("a set or list must hold strings only")
			}
			if _, dup := vals[ev.AsString()]; dup {
				return nil, nil, false, bad(fmt.Sprintf("%q appears twice", ev.AsString()))
			}
			keys = append(keys, ev.AsString())
			vals[ev.AsString()] = ev
		}
	default:
		return nil, nil, false, bad(fmt.Sprintf("it is a %s", ty.FriendlyName()))
	}
	for _, k := range keys {
		if !validKey(k) {
			return nil, nil, false, bad(fmt.Sprintf("the key %q is not usable in names: keys are letters, digits, underscores and hyphens", k))
		}
	}
	sort.Strings(keys)
	return keys, vals, false, diags
}

func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// bindAll copies a decoded block body (a struct of expressions, nested
// blocks and labels) with every expression bound to name = {key, value}.
func bindAll(v reflect.Value, name string, key, val cty.Value) reflect.Value {
	exprType := reflect.TypeOf((*hcl.Expression)(nil)).Elem()
	switch {
	case v.Type() == exprType:
		out := reflect.New(exprType).Elem()
		if !v.IsNil() {
			out.Set(reflect.ValueOf(Bind(v.Interface().(hcl.Expression), name, key, val)))
		}
		return out
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(bindAll(v.Elem(), name, key, val))
		return out
	case v.Kind() == reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(bindAll(v.Index(i), name, key, val))
		}
		return out
	case v.Kind() == reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(bindAll(v.Field(i), name, key, val))
			}
		}
		return out
	}
	return v
}

// ExpandRepetition replaces every for_each block by its instances and every
// dynamic threshold block by the thresholds it generates. It needs the
// scope, since for_each reads variables and locals.
func (c *Config) ExpandRepetition(s *Scope) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, addr := range sortedKeys(c.ForEach) {
		typ, name, _ := strings.Cut(addr, ".")
		keys, vals, unknown, d := s.forEachElements(c.ForEach[addr], typ+"."+name)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if unknown {
			// validate: one stand-in instance, each.key and each.value unknown.
			keys, vals = []string{"*"}, map[string]cty.Value{"*": cty.DynamicVal}
		}
		var kv []struct {
			name     string
			key, val cty.Value
		}
		for _, k := range keys {
			key := cty.StringVal(k)
			if unknown {
				key = cty.UnknownVal(cty.String)
			}
			kv = append(kv, struct {
				name     string
				key, val cty.Value
			}{InstanceName(name, k), key, vals[k]})
		}
		switch typ {
		case BlockDataset:
			expand(c.Datasets, name, kv, func(d *Dataset, n string) { d.Name = n })
		case BlockPrepare:
			expand(c.Prepares, name, kv, func(d *Prepare, n string) { d.Name = n })
		case BlockFineTune:
			expand(c.FineTunes, name, kv, func(d *FineTune, n string) { d.Name = n })
		case BlockEvaluate:
			expand(c.Evaluations, name, kv, func(d *Evaluate, n string) { d.Name = n })
		case BlockGate:
			expand(c.Gates, name, kv, func(d *Gate, n string) { d.Name = n })
		case BlockRegister:
			expand(c.Registers, name, kv, func(d *Register, n string) { d.Name = n })
		case BlockEdgeTarget:
			expand(c.EdgeTargets, name, kv, func(d *EdgeTarget, n string) { d.Name = n })
		}
	}
	c.ForEach = map[string]hcl.Expression{}
	if m := c.Monitoring; m != nil {
		for _, d := range m.Body.Dynamic {
			as, ddiags := s.expandAlarms(d)
			diags = append(diags, ddiags...)
			m.Body.Alarms = append(m.Body.Alarms, as...)
		}
		m.Body.Dynamic = nil
	}
	for _, name := range sortedKeys(c.Gates) {
		g := c.Gates[name]
		for _, d := range g.Body.Dynamic {
			ts, ddiags := s.expandThresholds(d)
			diags = append(diags, ddiags...)
			g.Body.Thresholds = append(g.Body.Thresholds, ts...)
		}
		g.Body.Dynamic = nil
	}
	return diags
}

// expand replaces m[name] by one bound copy per element.
func expand[T any](m map[string]*T, name string, kv []struct {
	name     string
	key, val cty.Value
}, rename func(*T, string)) {
	decl, ok := m[name]
	if !ok {
		return
	}
	delete(m, name)
	for _, e := range kv {
		inst := bindAll(reflect.ValueOf(decl), RootEach, e.key, e.val).Interface().(*T)
		rename(inst, e.name)
		m[e.name] = inst
	}
}

// expandThresholds generates a gate's thresholds from a dynamic block: the
// label from labels (default the key), min and max from content.
func (s *Scope) expandThresholds(d *DynamicBlock) ([]*Threshold, hcl.Diagnostics) {
	keys, vals, unknown, diags := s.forEachElements(d.ForEach, "dynamic \""+d.Type+"\"")
	if diags.HasErrors() || unknown {
		return nil, diags
	}
	content, cdiags := d.Content.Content(thresholdSchema)
	diags = append(diags, cdiags...)
	if cdiags.HasErrors() {
		return nil, diags
	}
	var out []*Threshold
	for _, k := range keys {
		key, val := cty.StringVal(k), vals[k]
		metric, ok := s.dynamicLabel(d, key, val, k, &diags)
		if !ok {
			continue
		}
		t := &Threshold{Metric: metric, DeclRange: d.Range}
		t.Min = Bind(attrOrNull(content.Attributes, "min", d.Content.MissingItemRange()), d.Iterator, key, val)
		t.Max = Bind(attrOrNull(content.Attributes, "max", d.Content.MissingItemRange()), d.Iterator, key, val)
		t.VsApproved = Bind(attrOrNull(content.Attributes, "vs_approved", d.Content.MissingItemRange()), d.Iterator, key, val)
		out = append(out, t)
	}
	return out, diags
}

// expandAlarms generates a monitoring block's alarms from a dynamic block:
// the name from labels (default the key), the body from content.
func (s *Scope) expandAlarms(d *DynamicBlock) ([]*Alarm, hcl.Diagnostics) {
	keys, vals, unknown, diags := s.forEachElements(d.ForEach, "dynamic \""+d.Type+"\"")
	if diags.HasErrors() || unknown {
		return nil, diags
	}
	var proto Alarm
	if cdiags := decodeBody(d.Content, &proto); cdiags.HasErrors() {
		return nil, append(diags, cdiags...)
	}
	var out []*Alarm
	for _, k := range keys {
		key, val := cty.StringVal(k), vals[k]
		name, ok := s.dynamicLabel(d, key, val, k, &diags)
		if !ok {
			continue
		}
		a := bindAll(reflect.ValueOf(&proto), d.Iterator, key, val).Interface().(*Alarm)
		a.Name = name
		out = append(out, a)
	}
	return out, diags
}

// dynamicLabel evaluates a dynamic block's labels for one element: one
// known string, or the key when labels is left out.
func (s *Scope) dynamicLabel(d *DynamicBlock, key, val cty.Value, k string, diags *hcl.Diagnostics) (string, bool) {
	if isNullExpr(d.Labels) {
		return k, true
	}
	lv, ldiags := s.Eval(Bind(d.Labels, d.Iterator, key, val), cty.List(cty.String))
	*diags = append(*diags, ldiags...)
	if ldiags.HasErrors() {
		return "", false
	}
	lv, _ = lv.UnmarkDeep()
	if !lv.IsWhollyKnown() || lv.LengthInt() != 1 {
		*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid dynamic labels", Detail: "labels must be a list of one known string: the generated block's label, such as labels = [" + d.Iterator + ".key].", Subject: d.Labels.Range().Ptr()})
		return "", false
	}
	return lv.Index(cty.NumberIntVal(0)).AsString(), true
}
