package planner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/compiler/ir"
)

// writeBundle writes a minimal bundle directory of the given precision.
func writeBundle(t *testing.T, dir, precision string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := `{"format": "slm-model-bundle", "format_version": 1, "precision": "` + precision + `"}`
	for name, content := range map[string]string{"manifest.json": m, "model.onnx": precision + " weights"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEdgeModelVariant: the bundle a target ships is the variant it names,
// checked against the manifest in every form --model takes; symlinks to
// bundles are followed. Before, a bundle directory or archive of fp32 was
// shipped to an int8 target, and a symlinked bundle-int8 failed with
// "is a directory".
func TestEdgeModelVariant(t *testing.T) {
	root := t.TempDir()
	fp32Only := filepath.Join(root, "model-fp32")
	writeBundle(t, filepath.Join(fp32Only, "bundle"), "fp32")
	both := filepath.Join(root, "model")
	writeBundle(t, filepath.Join(both, "bundle"), "fp32")
	writeBundle(t, filepath.Join(root, "versions", "int8-v2"), "int8")
	if err := os.Symlink(filepath.Join(root, "versions", "int8-v2"), filepath.Join(both, "bundle-int8")); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(root, "current")
	if err := os.Symlink(filepath.Join(root, "versions", "int8-v2"), linked); err != nil {
		t.Fatal(err)
	}
	fp32Tar := filepath.Join(root, "fp32.tar.gz")
	b, err := packBundle(filepath.Join(fp32Only, "bundle"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fp32Tar, b, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, model, variant, wantErr string
	}{
		{"model dir without int8", fp32Only, "int8", "no bundle-int8/manifest.json"},
		{"fp32 bundle dir for int8", filepath.Join(fp32Only, "bundle"), "int8", `holds a fp32 bundle, but the edge target ships variant "int8"`},
		{"fp32 archive for int8", fp32Tar, "int8", `holds a fp32 bundle, but the edge target ships variant "int8"`},
		{"fp32 archive for fp32", fp32Tar, "fp32", ""},
		{"model dir with symlinked bundle-int8", both, "int8", ""},
		{"symlink to a bundle", linked, "int8", ""},
		{"symlinked int8 bundle for fp32", linked, "fp32", `holds a int8 bundle`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ir.Pipeline{EdgeTargets: []ir.EdgeTarget{{Name: "fleet", Variant: tt.variant}}}
			got, err := EdgeModels(p, tt.model)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			manifest, err := archiveManifest(got["fleet"].Content)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(manifest), `"precision": "`+tt.variant+`"`) {
				t.Errorf("shipped manifest %s, want precision %s", manifest, tt.variant)
			}
		})
	}
}
