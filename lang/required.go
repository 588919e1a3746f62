package lang

import (
	"reflect"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// checkRequired reports required attributes and blocks missing from body,
// recursively through nested blocks. gohcl leaves hcl.Expression fields
// unchecked (an absent one becomes a null expression), and most attributes
// here are expressions, kept unevaluated until the compiler has a scope; so
// the struct tags' required-ness is enforced here instead.
func checkRequired(body hcl.Body, target any) hcl.Diagnostics {
	t := reflect.TypeOf(target)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return checkRequiredType(body, t)
}

func checkRequiredType(body hcl.Body, t reflect.Type) hcl.Diagnostics {
	content, _, diags := body.PartialContent(requiredSchema(t))
	var out hcl.Diagnostics
	for _, d := range diags {
		// Other problems (unsupported arguments, wrong block shapes) are
		// reported by the decoder itself; report only what it misses.
		if strings.HasPrefix(d.Summary, "Missing required") {
			d.Detail += " Add it to the block."
			out = append(out, d)
		}
	}
	if content == nil {
		return out
	}
	blockFields := blockTypes(t)
	for _, b := range content.Blocks {
		if ft, ok := blockFields[b.Type]; ok && ft.Kind() == reflect.Struct {
			out = append(out, checkRequiredType(b.Body, ft)...)
		}
	}
	return out
}

// requiredSchema is the body schema of a gohcl-tagged struct in which every
// attribute without ",optional" is required, hcl.Expression fields too
// (gohcl's own implied schema makes those optional).
func requiredSchema(t reflect.Type) *hcl.BodySchema {
	schema, _ := gohcl.ImpliedBodySchema(reflect.New(t).Interface())
	for i := range t.NumField() {
		name, kind, _ := strings.Cut(t.Field(i).Tag.Get("hcl"), ",")
		if kind != "attr" && kind != "" {
			continue // blocks, labels and optional attributes
		}
		for j := range schema.Attributes {
			if schema.Attributes[j].Name == name {
				schema.Attributes[j].Required = true
			}
		}
	}
	return schema
}

func blockTypes(t reflect.Type) map[string]reflect.Type {
	blockFields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("hcl")
		name, kind, _ := strings.Cut(tag, ",")
		if kind != "block" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		blockFields[name] = ft
	}
	return blockFields
}
