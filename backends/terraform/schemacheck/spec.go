package schemacheck

import (
	"github.com/hashicorp/hcl/v2/hcldec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// blockSpec turns a provider schema block into the hcldec specification Terraform itself decodes
// configuration with, so decoding a body reports the same unsupported, missing and mistyped arguments.
func blockSpec(b *tfjson.SchemaBlock) hcldec.ObjectSpec {
	spec := hcldec.ObjectSpec{}
	if b == nil {
		return spec
	}
	for name, a := range b.Attributes {
		if a.Computed && !a.Optional && !a.Required {
			// Read-only: Terraform rejects it in configuration, so leaving it out of the spec makes
			// setting it an "Unsupported argument".
			continue
		}
		spec[name] = &hcldec.AttrSpec{Name: name, Type: attrType(a), Required: a.Required}
	}
	for name, nb := range b.NestedBlocks {
		inner := blockSpec(nb.Block)
		switch nb.NestingMode {
		case tfjson.SchemaNestingModeList:
			spec[name] = &hcldec.BlockListSpec{TypeName: name, Nested: inner, MinItems: int(nb.MinItems), MaxItems: int(nb.MaxItems)}
		case tfjson.SchemaNestingModeSet:
			spec[name] = &hcldec.BlockSetSpec{TypeName: name, Nested: inner, MinItems: int(nb.MinItems), MaxItems: int(nb.MaxItems)}
		case tfjson.SchemaNestingModeMap:
			spec[name] = &hcldec.BlockMapSpec{TypeName: name, LabelNames: []string{"key"}, Nested: inner}
		default: // single, group
			spec[name] = &hcldec.BlockSpec{TypeName: name, Nested: inner, Required: nb.MinItems > 0}
		}
	}
	return spec
}

// attrType is the attribute's value type; nested attribute types (protocol 6) become the object
// collection they describe.
func attrType(a *tfjson.SchemaAttribute) cty.Type {
	if a.AttributeNestedType == nil {
		return a.AttributeType
	}
	n := a.AttributeNestedType
	fields := map[string]cty.Type{}
	var optional []string
	for name, na := range n.Attributes {
		fields[name] = attrType(na)
		if !na.Required {
			optional = append(optional, name)
		}
	}
	obj := cty.ObjectWithOptionalAttrs(fields, optional)
	switch n.NestingMode {
	case tfjson.SchemaNestingModeList:
		return cty.List(obj)
	case tfjson.SchemaNestingModeSet:
		return cty.Set(obj)
	case tfjson.SchemaNestingModeMap:
		return cty.Map(obj)
	default:
		return obj
	}
}

// hasAttr reports whether a reference may read name from an object of this schema: any attribute,
// computed ones included, or a nested block.
func hasAttr(b *tfjson.SchemaBlock, name string) bool {
	if b == nil {
		return false
	}
	if _, ok := b.Attributes[name]; ok {
		return true
	}
	_, ok := b.NestedBlocks[name]
	return ok
}
