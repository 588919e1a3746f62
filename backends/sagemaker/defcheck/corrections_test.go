package defcheck

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compilePrefix compiles the stale schema with the first n patches applied.
func compilePrefix(t *testing.T, n int) *jsonschema.Schema {
	t.Helper()
	raw, err := encodeSchema(applyPatches(t, n))
	if err != nil {
		t.Fatal(err)
	}
	s, err := compileSchema(fmt.Sprintf("mem://prefix-%d.json", n), raw)
	if err != nil {
		t.Fatalf("schema after %d patches: %v", n, err)
	}
	return s
}

func validates(t *testing.T, s *jsonschema.Schema, def string) bool {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(def)))
	if err != nil {
		t.Fatalf("sample is not JSON: %v\n%s", err, def)
	}
	return s.Validate(doc) == nil
}

// TestEachCorrectionIsNeeded proves every patch with samples changes the verdict: the stale
// schema and the schema just before the patch get the sample wrong, the schema just after it and
// the final corrected schema get it right.
func TestEachCorrectionIsNeeded(t *testing.T) {
	patches := schemaPatches()
	schemas := make([]*jsonschema.Schema, len(patches)+1)
	for i := range schemas {
		schemas[i] = compilePrefix(t, i)
	}
	stale, final := schemas[0], schemas[len(patches)]
	for i, p := range patches {
		t.Run(p.name, func(t *testing.T) {
			before, after := schemas[i], schemas[i+1]
			for j, def := range p.accept {
				if validates(t, stale, def) {
					t.Errorf("accept[%d]: the stale schema already accepts it", j)
				}
				if validates(t, before, def) {
					t.Errorf("accept[%d]: accepted before the patch, so the patch is not what fixes it", j)
				}
				if !validates(t, after, def) {
					t.Errorf("accept[%d]: still rejected after the patch", j)
				}
				if !validates(t, final, def) {
					t.Errorf("accept[%d]: rejected by the final schema", j)
				}
			}
			for j, def := range p.reject {
				if !validates(t, stale, def) {
					t.Errorf("reject[%d]: the stale schema already rejects it", j)
				}
				if !validates(t, before, def) {
					t.Errorf("reject[%d]: rejected before the patch, so the patch is not what fixes it", j)
				}
				if validates(t, after, def) {
					t.Errorf("reject[%d]: still accepted after the patch", j)
				}
				if validates(t, final, def) {
					t.Errorf("reject[%d]: accepted by the final schema", j)
				}
			}
		})
	}
}

// TestStaleSchemaRejectsSDKOutput pins down the documented gaps on the SDK's own output: each of
// these SDK files fails the stale schema and passes the corrected one.
func TestStaleSchemaRejectsSDKOutput(t *testing.T) {
	stale := compilePrefix(t, 0)
	final := compilePrefix(t, len(schemaPatches()))
	for _, name := range []string{
		"callback_outputs.definition.json",            // PipelineExperimentConfig
		"condition_step_interpolated.definition.json", // In {QueryValue, Values}, Not, PipelineExperimentConfig
		"emr_outputs.definition.json",                 // StepConfig without Name
		"lambda_outputs.definition.json",              // PipelineExperimentConfig
	} {
		t.Run(name, func(t *testing.T) {
			def := string(readSDK(t, name))
			if validates(t, stale, def) {
				t.Error("the stale schema accepts it")
			}
			if !validates(t, final, def) {
				t.Error("the corrected schema rejects it")
			}
		})
	}
}
