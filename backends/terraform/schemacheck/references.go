package schemacheck

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// checkReferences reports references to undeclared variables, locals, resources and data sources, and
// to attributes their schema does not have.
func (s *Schema) checkReferences(body *hclsyntax.Body, m *module) hcl.Diagnostics {
	var diags hcl.Diagnostics
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			_ = hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
				if st, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
					diags = append(diags, s.checkTraversal(st.Traversal, m)...)
				}
				return nil
			})
		}
		for _, nb := range b.Blocks {
			// A variable's type and lifecycle's ignore_changes hold keywords and attribute paths, not references.
			if nb.Type == "variable" || nb.Type == "lifecycle" {
				continue
			}
			walk(nb.Body)
		}
	}
	walk(body)
	return diags
}

func (s *Schema) checkTraversal(t hcl.Traversal, m *module) hcl.Diagnostics {
	rng := t.SourceRange()
	bad := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}}
	}
	attrs := attrNames(t)
	root := t.RootName()
	switch root {
	case "each", "count", "path", "self", "terraform", "module":
		return nil
	case "var", "local":
		if len(attrs) < 1 {
			return bad("Invalid reference", fmt.Sprintf("%q must be followed by a name.", root))
		}
		declared := m.variables
		if root == "local" {
			declared = m.locals
		}
		if !declared[attrs[0]] {
			return bad("Reference to undeclared "+map[string]string{"var": "input variable", "local": "local value"}[root],
				fmt.Sprintf("%s.%s is not declared in this module.", root, attrs[0]))
		}
		return nil
	case "data":
		if len(attrs) < 2 {
			return bad("Invalid reference", "A data source reference is data.TYPE.NAME.")
		}
		if !m.data[attrs[0]][attrs[1]] {
			return bad("Reference to undeclared data source", fmt.Sprintf("data.%s.%s is not declared in this module.", attrs[0], attrs[1]))
		}
		if len(attrs) > 2 && s.Data[attrs[0]] != nil && !hasAttr(s.Data[attrs[0]], attrs[2]) {
			return bad("Unsupported attribute", fmt.Sprintf("Data source %s has no attribute %q.", attrs[0], attrs[2]))
		}
		return nil
	}
	if len(attrs) < 1 {
		return bad("Invalid reference", fmt.Sprintf("%q is not a known reference root.", root))
	}
	if !m.resources[root][attrs[0]] {
		return bad("Reference to undeclared resource", fmt.Sprintf("%s.%s is not declared in this module.", root, attrs[0]))
	}
	if len(attrs) > 1 && s.Resources[root] != nil && !hasAttr(s.Resources[root], attrs[1]) {
		return bad("Unsupported attribute", fmt.Sprintf("Resource type %s has no attribute %q.", root, attrs[1]))
	}
	return nil
}

// attrNames lists the attribute steps after the root, skipping index steps (count and for_each keys).
func attrNames(t hcl.Traversal) []string {
	var names []string
	for _, step := range t[1:] {
		if a, ok := step.(hcl.TraverseAttr); ok {
			names = append(names, a.Name)
		}
	}
	return names
}
