// Package testenv finds what the runtime's tests need outside the Go tree:
// the ONNX Runtime library and the generated test bundles. A missing piece
// fails the test (it never skips), with the command that makes it.
package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/slm-project/slm/runtime/ortenv"
)

// RepoRoot is the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// ORTLib is $SLM_ORT_LIB, else build/ort/linux-GOARCH/libonnxruntime.so.1.
func ORTLib(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ortenv.EnvVar); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("$%s: %v", ortenv.EnvVar, err)
		}
		return p
	}
	p := filepath.Join(RepoRoot(t), "build", "ort", "linux-"+runtime.GOARCH, "libonnxruntime.so.1")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("ONNX Runtime library missing (%v): run `make setup-ort` or set $%s", err, ortenv.EnvVar)
	}
	return p
}

// Bundle is the directory of a generated test bundle: tiny, minilm or minilm-int8.
func Bundle(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "build", "testmodels", name)
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Fatalf("test bundle %s missing (%v): run `make testmodels`", name, err)
	}
	return dir
}

// Reference is what Python onnxruntime computed for a test bundle.
type Reference struct {
	Texts         []string    `json:"texts"`
	InputIDs      [][]int64   `json:"input_ids"`
	AttentionMask [][]int64   `json:"attention_mask"`
	Logits        [][]float64 `json:"logits"`
}

// LoadReference reads build/testmodels/NAME.reference.json.
func LoadReference(t testing.TB, name string) Reference {
	t.Helper()
	Bundle(t, name)
	data, err := os.ReadFile(filepath.Join(RepoRoot(t), "build", "testmodels", name+".reference.json"))
	if err != nil {
		t.Fatalf("reference logits: %v: run `make testmodels`", err)
	}
	var r Reference
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// CopyBundle copies a test bundle into a fresh temporary directory, for tests
// that damage it.
func CopyBundle(t testing.TB, name string) string {
	t.Helper()
	src := Bundle(t, name)
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// EditManifest rewrites manifest.json of a copied bundle through a generic
// map. The manifest is not in its own digest list, so digests stay valid.
func EditManifest(t testing.TB, dir string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// CLINC150 returns the CLINC150 test utterances kept in runtime/testdata.
func CLINC150(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(RepoRoot(t), "runtime", "testdata", "clinc150", "test.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][2]string
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	texts := make([]string, len(rows))
	for i, r := range rows {
		texts[i] = r[0]
	}
	return texts
}
