package defcheck

import (
	"bytes"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Checker holds the compiled corrected schema. Build one with New and reuse it: compiling the
// schema is the expensive part, and a Checker is safe for concurrent use (it is never mutated
// after New).
type Checker struct {
	schema     *jsonschema.Schema
	properties *propertyShapes
}

// New compiles the embedded corrected schema.
func New() (*Checker, error) {
	s, err := compileSchema(schemaID, correctedSchema)
	if err != nil {
		return nil, fmt.Errorf("defcheck: %w", err)
	}
	ps, err := parsePropertyShapes(propertyShapesJSON)
	if err != nil {
		return nil, fmt.Errorf("defcheck: %w", err)
	}
	return &Checker{schema: s, properties: ps}, nil
}

// Check returns every problem found in definition, ordered by path then message; nil means the
// definition passes.
func (c *Checker) Check(definition []byte) []Problem {
	printer := englishPrinter()
	problems := sizeProblems(definition)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(definition))
	if err != nil {
		return sortProblems(append(problems, Problem{Message: fmt.Sprintf("not valid JSON: %v", err)}))
	}
	problems = append(problems, schemaProblems(c.schema, doc, printer)...)
	problems = append(problems, semanticProblems(doc, c.properties)...)
	if len(problems) == 0 {
		return nil
	}
	return sortProblems(problems)
}

// Check is New followed by Checker.Check, for one-off use; it compiles the schema on every call,
// so anything checking more than one definition should keep a Checker.
func Check(definition []byte) []Problem {
	c, err := New()
	if err != nil {
		return []Problem{{Message: err.Error()}}
	}
	return c.Check(definition)
}

// semanticProblems runs the checks the schema cannot express. They read the document
// defensively: a value of the wrong shape is the schema's to report, so here it is skipped.
func semanticProblems(doc any, shapes *propertyShapes) []Problem {
	root, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	def := readDefinition(root)
	var out []Problem
	out = append(out, nameProblems(def)...)
	out = append(out, dependsOnProblems(def)...)
	refs, refProblems := resolveReferences(def, shapes)
	out = append(out, refProblems...)
	out = append(out, cycleProblems(def, refs)...)
	out = append(out, failStepProblems(def)...)
	out = append(out, retryPolicyProblems(def)...)
	out = append(out, cacheConfigProblems(def)...)
	out = append(out, propertyFileProblems(def)...)
	out = append(out, parameterProblems(def)...)
	out = append(out, channelProblems(def)...)
	return out
}
