package defcheck

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaID is the $id of the corrected schema (set by the schema-identity patch).
const schemaID = "https://slm-project.github.io/schemas/sagemaker-pipeline-definition-2020-12-01.schema.json"

//go:embed pipeline-definition.schema.json
var correctedSchema []byte

// compileSchema compiles a pipeline definition schema held in memory under the given URL.
func compileSchema(url string, raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decoding schema %s: %w", url, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("adding schema %s: %w", url, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", url, err)
	}
	return s, nil
}

// schemaProblems validates a decoded definition and turns the error tree into problems.
func schemaProblems(s *jsonschema.Schema, doc any, p *message.Printer) []Problem {
	err := s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Message: fmt.Sprintf("schema validation failed: %v", err)}}
	}
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.OneOf, *kind.AnyOf:
			// Alternatives each fail in their own way; listing every branch's failure buries the
			// point, so report that no alternative fits.
			out = append(out, Problem{Path: pointer(e.InstanceLocation...), Message: e.ErrorKind.LocalizedString(p)})
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, Problem{Path: pointer(e.InstanceLocation...), Message: leafMessage(e, p)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// leafMessage renders one schema failure. The library lists unknown properties in map order, so
// that message is rebuilt sorted to keep Check's output stable; an expression object with the
// wrong number of keys gets a message that names the functions instead of minProperties.
func leafMessage(e *jsonschema.ValidationError, p *message.Printer) string {
	k := e.ErrorKind
	switch k.(type) {
	case *kind.MinProperties, *kind.MaxProperties:
		switch {
		case strings.HasSuffix(e.SchemaURL, "#/definitions/StringExpression"):
			return "an expression is an object with exactly one key: Get, Std:Join or Std:JsonGet"
		case strings.HasSuffix(e.SchemaURL, "#/definitions/Expression"):
			return "an expression is an object with exactly one key: Get or Std:JsonGet"
		}
	}
	if ap, ok := k.(*kind.AdditionalProperties); ok {
		names := slices.Clone(ap.Properties)
		slices.Sort(names)
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = "'" + n + "'"
		}
		if len(quoted) == 1 {
			return "property " + quoted[0] + " is not allowed here"
		}
		return "properties " + strings.Join(quoted, ", ") + " are not allowed here"
	}
	return k.LocalizedString(p)
}

func englishPrinter() *message.Printer { return message.NewPrinter(language.English) }
