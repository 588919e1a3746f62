package schemacheck

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// metaSchema holds the arguments Terraform handles itself in resource and data blocks; they are taken
// out of the body before it is decoded against the provider's schema.
var metaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}, {Name: "depends_on"}, {Name: "provider"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

// providerMetaSchema holds the provider block's own meta-arguments.
var providerMetaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "alias"}}}

// knownBlocks are the top-level block types of a Terraform module.
var knownBlocks = map[string]bool{
	"terraform": true, "provider": true, "variable": true, "output": true, "locals": true,
	"resource": true, "data": true, "module": true, "moved": true, "import": true, "check": true, "removed": true,
}

// module holds what a set of files declares, for resolving references.
type module struct {
	resources map[string]map[string]bool // type -> names
	data      map[string]map[string]bool
	variables map[string]bool
	locals    map[string]bool
}

// Check parses the .tf files of one module (name -> source) and reports, as diagnostics: syntax errors,
// files not in canonical format, unknown resource and data types, arguments and blocks the provider's
// schema does not have or with values of the wrong type, missing required ones, and references to
// undeclared objects or attributes. The provider is the one the Schema was loaded for; provider blocks
// of other providers are not checked.
func (s *Schema) Check(files map[string][]byte, providerName string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names := make([]string, 0, len(files))
	for n := range files {
		if strings.HasSuffix(n, ".tf") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	m := &module{resources: map[string]map[string]bool{}, data: map[string]map[string]bool{},
		variables: map[string]bool{}, locals: map[string]bool{}}
	var bodies []*hclsyntax.Body
	for _, name := range names {
		src := files[name]
		f, d := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if !bytes.Equal(hclwrite.Format(src), src) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "File not formatted",
				Detail:  fmt.Sprintf("%s differs from its canonical format (terraform fmt / hclwrite.Format).", name),
				Subject: &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}})
		}
		body := f.Body.(*hclsyntax.Body)
		bodies = append(bodies, body)
		m.declare(body)
	}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			diags = append(diags, s.checkTopBlock(b, providerName)...)
		}
		diags = append(diags, s.checkReferences(body, m)...)
	}
	return diags
}

func (m *module) declare(body *hclsyntax.Body) {
	add := func(to map[string]map[string]bool, typ, name string) {
		if to[typ] == nil {
			to[typ] = map[string]bool{}
		}
		to[typ][name] = true
	}
	for _, b := range body.Blocks {
		switch {
		case b.Type == "resource" && len(b.Labels) == 2:
			add(m.resources, b.Labels[0], b.Labels[1])
		case b.Type == "data" && len(b.Labels) == 2:
			add(m.data, b.Labels[0], b.Labels[1])
		case b.Type == "variable" && len(b.Labels) == 1:
			m.variables[b.Labels[0]] = true
		case b.Type == "locals":
			for name := range b.Body.Attributes {
				m.locals[name] = true
			}
		}
	}
}

func (s *Schema) checkTopBlock(b *hclsyntax.Block, providerName string) hcl.Diagnostics {
	rng := b.DefRange()
	if !knownBlocks[b.Type] {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported block type",
			Detail: fmt.Sprintf("Terraform has no top-level %q block.", b.Type), Subject: &rng}}
	}
	switch b.Type {
	case "resource", "data":
		if len(b.Labels) != 2 {
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Wrong number of labels",
				Detail: fmt.Sprintf("A %s block has two labels, type and name.", b.Type), Subject: &rng}}
		}
		typ := b.Labels[0]
		if !strings.HasPrefix(typ, providerName+"_") {
			// Every block must be checked; a type of another provider would pass unchecked.
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unchecked provider",
				Detail: fmt.Sprintf("%s %q belongs to another provider than %s, whose schema this check holds.", b.Type, typ, providerName), Subject: &rng}}
		}
		schemas, kind := s.Resources, "resource"
		if b.Type == "data" {
			schemas, kind = s.Data, "data source"
		}
		sb, ok := schemas[typ]
		if !ok {
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown " + kind + " type",
				Detail:  fmt.Sprintf("The %s provider schema has no %s %q (add it to testdata/terraform/resource-types.txt and regenerate the subset if it is real).", providerName, kind, typ),
				Subject: &rng}}
		}
		return decode(b.Body, sb, metaSchema)
	case "provider":
		if len(b.Labels) == 1 && b.Labels[0] == providerName && s.Provider != nil {
			return decode(b.Body, s.Provider, providerMetaSchema)
		}
	}
	return nil
}

// decode checks a body against a schema block the way Terraform decodes it, after taking out meta.
func decode(body *hclsyntax.Body, sb *tfjson.SchemaBlock, meta *hcl.BodySchema) hcl.Diagnostics {
	_, remain, diags := body.PartialContent(meta)
	spec := blockSpec(sb)
	_, d := hcldec.Decode(remain, spec, evalContext(hcldec.Variables(remain, spec)))
	return append(diags, d...)
}

// evalContext gives every referenced root an unknown value of any type, as `terraform validate` does,
// so values are type-checked where they are known and references are checked separately.
func evalContext(refs []hcl.Traversal) *hcl.EvalContext {
	vars := map[string]cty.Value{}
	for _, t := range refs {
		vars[t.RootName()] = cty.DynamicVal
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions()}
}
