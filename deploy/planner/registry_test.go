package planner

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/compiler/ir"
)

// plan --model takes a model package group of the local registry: the
// latest approved version's archive gives each edge target its variant.
func TestEdgeModelFromLocalRegistry(t *testing.T) {
	dir := t.TempDir()
	archive := func(name string, members map[string]string) string {
		p := filepath.Join(dir, name)
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		for n, body := range members {
			if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := gz.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	group := filepath.Join(dir, "registry", "intents")
	if err := os.MkdirAll(group, 0o755); err != nil {
		t.Fatal(err)
	}
	// bundle is a bundle.tar.gz of the given precision whose model.onnx
	// says which version it is.
	bundle := func(precision, version string) string {
		b, err := artifact.TarGz(map[string][]byte{
			"manifest.json": []byte(`{"format": "slm-model-bundle", "format_version": 1, "precision": "` + precision + `"}`),
			"model.onnx":    []byte(precision + " " + version),
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for v, pkg := range map[string]string{
		"1": `{"ModelPackageGroupName": "intents", "ModelPackageVersion": 1, "ModelApprovalStatus": "Approved", "ModelDataPath": "` +
			archive("v1.tar.gz", map[string]string{"bundle.tar.gz": bundle("fp32", "v1"), "bundle-int8.tar.gz": bundle("int8", "v1")}) + `"}`,
		"2": `{"ModelPackageGroupName": "intents", "ModelPackageVersion": 2, "ModelApprovalStatus": "Approved", "ModelDataPath": "` +
			archive("v2.tar.gz", map[string]string{"bundle.tar.gz": bundle("fp32", "v2"), "bundle-int8.tar.gz": bundle("int8", "v2")}) + `"}`,
		"3": `{"ModelPackageGroupName": "intents", "ModelPackageVersion": 3, "ModelApprovalStatus": "PendingManualApproval", "ModelDataPath": "` +
			archive("v3.tar.gz", map[string]string{"bundle-int8.tar.gz": bundle("int8", "v3")}) + `"}`,
	} {
		if err := os.WriteFile(filepath.Join(group, v+".json"), []byte(pkg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := &ir.Pipeline{EdgeTargets: []ir.EdgeTarget{{Name: "stores", Variant: "int8"}, {Name: "kiosks", Variant: "fp32"}}}
	models, err := EdgeModels(p, group)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(models["stores"].Content) + "; " + string(models["kiosks"].Content); got != bundle("int8", "v2")+"; "+bundle("fp32", "v2") {
		t.Errorf("bundles %q; want the latest approved version's (2)", got)
	}
	if err := os.Remove(filepath.Join(group, "2.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(group, "1.json"), []byte(`{"ModelApprovalStatus": "Rejected"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := EdgeModels(p, group); err == nil || !strings.Contains(err.Error(), "has no approved version") {
		t.Errorf("no approved version: %v", err)
	}
}
