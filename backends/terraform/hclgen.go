package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// expr is an HCL expression in source form (a reference, a function call, a template); literals are
// given as Go values instead, so user strings are always escaped by hclwrite.
type expr string

// ref builds a reference expression from its parts: ref("aws_s3_bucket", "raw", "arn").
func ref(parts ...string) expr { return expr(strings.Join(parts, ".")) }

// tmpl builds a template string from literal text and expressions: tmpl("arn:", ref(...), ":s3:::x").
// Literal parts are escaped, so "${" in a user string stays text.
func tmpl(parts ...any) expr {
	var b strings.Builder
	b.WriteByte('"')
	for _, p := range parts {
		switch v := p.(type) {
		case expr:
			b.WriteString("${" + string(v) + "}")
		case string:
			q := string(hclwrite.TokensForValue(cty.StringVal(v)).Bytes())
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(fmt.Sprint(v))
		}
	}
	b.WriteByte('"')
	return expr(b.String())
}

// call builds a function call expression.
func call(name string, args ...any) expr {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(tokens(a).Bytes())
	}
	return expr(name + "(" + strings.Join(parts, ", ") + ")")
}

// tokens renders a Go value as HCL: expr as written, strings, numbers, bools, and slices and maps of
// them (maps with sorted keys). Object keys that are not identifiers are quoted.
func tokens(v any) hclwrite.Tokens {
	switch t := v.(type) {
	case expr:
		f, diags := hclwrite.ParseConfig([]byte("x = "+string(t)+"\n"), "expr", hcl.InitialPos)
		if diags.HasErrors() {
			// Generated expressions are built by this package; a parse failure is a bug here.
			panic(fmt.Sprintf("terraform backend: invalid generated expression %q: %s", t, diags.Error()))
		}
		return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
	case string:
		return hclwrite.TokensForValue(cty.StringVal(t))
	case int:
		return hclwrite.TokensForValue(cty.NumberIntVal(int64(t)))
	case int64:
		return hclwrite.TokensForValue(cty.NumberIntVal(t))
	case float64:
		return hclwrite.TokensForValue(cty.NumberFloatVal(t))
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(t))
	case []string:
		items := make([]hclwrite.Tokens, len(t))
		for i, s := range t {
			items[i] = tokens(s)
		}
		return hclwrite.TokensForTuple(items)
	case []expr:
		items := make([]hclwrite.Tokens, len(t))
		for i, s := range t {
			items[i] = tokens(s)
		}
		return hclwrite.TokensForTuple(items)
	case []any:
		items := make([]hclwrite.Tokens, len(t))
		for i, s := range t {
			items[i] = tokens(s)
		}
		return hclwrite.TokensForTuple(items)
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		return tokens(m)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		attrs := make([]hclwrite.ObjectAttrTokens, len(keys))
		for i, k := range keys {
			name := hclwrite.TokensForValue(cty.StringVal(k))
			if hclsyntaxValidIdentifier(k) {
				name = hclwrite.TokensForIdentifier(k)
			}
			attrs[i] = hclwrite.ObjectAttrTokens{Name: name, Value: tokens(t[k])}
		}
		return hclwrite.TokensForObject(attrs)
	}
	panic(fmt.Sprintf("terraform backend: no HCL form for %T", v))
}

func hclsyntaxValidIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// block wraps an hclwrite body with setters that take Go values.
type block struct{ b *hclwrite.Body }

// set sets an argument; nil, empty strings and empty slices are left out, so optional settings the
// configuration does not give stay absent.
func (k block) set(name string, v any) block {
	switch t := v.(type) {
	case nil:
		return k
	case string:
		if t == "" {
			return k
		}
	case []string:
		if len(t) == 0 {
			return k
		}
	case []expr:
		if len(t) == 0 {
			return k
		}
	}
	k.b.SetAttributeRaw(name, tokens(v))
	return k
}

// child appends a nested block.
func (k block) child(typ string, labels ...string) block {
	return block{k.b.AppendNewBlock(typ, labels).Body()}
}

// tfName turns a configuration name into a Terraform identifier: lower case, [a-z0-9_], not starting
// with a digit.
func tfName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}
