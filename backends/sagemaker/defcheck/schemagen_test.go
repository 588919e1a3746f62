package defcheck

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The corrected schema is generated, never hand-edited: the stale upstream schema (copied into
// testdata/sagemaker) goes through the named patches in patches_test.go, in order, and the result is
// compared with the committed pipeline-definition.schema.json. `go test -run TestSchemaIsGenerated
// -update` rewrites it. Keeping the corrections as code makes each one reviewable on its own and
// lets corrections_test.go prove, patch by patch, that each is needed.

var update = flag.Bool("update", false, "rewrite pipeline-definition.schema.json from the stale schema and the patches")

const (
	staleSchemaPath     = "../../../testdata/sagemaker/pipeline-definition.schema.json"
	correctedSchemaPath = "pipeline-definition.schema.json"
)

// patch is one named correction of the stale schema.
type patch struct {
	name string
	// apply edits the decoded schema in place.
	apply func(doc map[string]any) error
	// accept holds definitions the schema wrongly rejects before this patch and accepts after it.
	accept []string
	// reject holds definitions the schema wrongly accepts before this patch and rejects after it.
	reject []string
}

func loadStaleSchema(t testing.TB) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(staleSchemaPath)
	if err != nil {
		t.Fatalf("reading the stale schema: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decoding %s: %v", staleSchemaPath, err)
	}
	return doc
}

// applyPatches returns the stale schema with the first n patches applied.
func applyPatches(t testing.TB, n int) map[string]any {
	t.Helper()
	doc := loadStaleSchema(t)
	for _, p := range schemaPatches()[:n] {
		if err := p.apply(doc); err != nil {
			t.Fatalf("patch %q: %v", p.name, err)
		}
	}
	return doc
}

// encodeSchema renders a schema deterministically: sorted keys (encoding/json sorts map keys),
// two-space indent, no HTML escaping, trailing newline.
func encodeSchema(doc map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding the schema: %w", err)
	}
	return buf.Bytes(), nil
}

func TestSchemaIsGenerated(t *testing.T) {
	doc := applyPatches(t, len(schemaPatches()))
	want, err := encodeSchema(doc)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		tmp, err := os.CreateTemp(".", ".schema-*.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tmp.Write(want); err != nil {
			t.Fatal(err)
		}
		if err := tmp.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp.Name(), correctedSchemaPath); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(correctedSchemaPath)
	if err != nil {
		t.Fatalf("reading %s: %v", correctedSchemaPath, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what the patches produce; run: go test ./backends/sagemaker/defcheck -run TestSchemaIsGenerated -update", correctedSchemaPath)
	}
}

func TestPatchNamesUniqueAndDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(".", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range schemaPatches() {
		if seen[p.name] {
			t.Errorf("patch %q defined twice", p.name)
		}
		seen[p.name] = true
		if !strings.Contains(string(readme), "`"+p.name+"`") {
			t.Errorf("patch %q is not documented in README.md (expected the name in backticks)", p.name)
		}
	}
}

// --- small helpers for editing a decoded schema ---

// node walks keys from root and returns the object found there.
func node(root map[string]any, keys ...string) (map[string]any, error) {
	cur := root
	for i, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no object at /%s", strings.Join(keys[:i+1], "/"))
		}
		cur = next
	}
	return cur, nil
}

// frag decodes a JSON fragment written in a patch; patches are code, so a bad fragment is a
// programming error and panics at generation time.
func frag(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(fmt.Sprintf("bad JSON fragment %q: %v", s, err))
	}
	return v
}

// setDef adds or replaces a definition.
func setDef(doc map[string]any, name, fragment string) error {
	defs, err := node(doc, "definitions")
	if err != nil {
		return err
	}
	defs[name] = frag(fragment)
	return nil
}

// setProps adds or replaces properties of the object at keys.
func setProps(doc map[string]any, keys []string, props map[string]string) error {
	obj, err := node(doc, append(keys, "properties")...)
	if err != nil {
		return err
	}
	for name, f := range props {
		obj[name] = frag(f)
	}
	return nil
}

func defPath(keys ...string) []string { return append([]string{"definitions"}, keys...) }
