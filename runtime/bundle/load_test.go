package bundle_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slm-project/slm/runtime/bundle"
	"github.com/slm-project/slm/runtime/testenv"
)

func TestLoadGood(t *testing.T) {
	b, err := bundle.Load(context.Background(), testenv.Bundle(t, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.ModelVersion != "tiny-test-1" || b.Manifest.MaxSeqLength != 64 || len(b.Labels) != 151 {
		t.Fatalf("unexpected bundle: %+v, %d labels", b.Manifest, len(b.Labels))
	}
}

// rewrite replaces a bundle file and lists its new digest, so only the content is wrong.
func rewrite(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := bundle.FileDigest(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	testenv.EditManifest(t, dir, func(m map[string]any) { m["files"].(map[string]any)[name] = d })
}

func TestLoadRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   string
	}{
		{"digest mismatch", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "labels.json"), []byte(`["a"]`), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "digest mismatch for labels.json"},
		{"listed file missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "model.onnx")); err != nil {
				t.Fatal(err)
			}
		}, "model.onnx is listed in manifest.json but missing"},
		{"unlisted file", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "extra.bin"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "extra.bin is present but not listed"},
		{"no manifest", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, bundle.ManifestFile)); err != nil {
				t.Fatal(err)
			}
		}, "read manifest"},
		{"manifest not JSON", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, bundle.ManifestFile), []byte("{"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "parse manifest.json"},
		{"unknown key", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["confidence_treshold"] = 0.5 })
		}, `unknown field "confidence_treshold"`},
		{"wrong format", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["format"] = "other" })
		}, `format is "other"`},
		{"future version", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["format_version"] = 2 })
		}, "format_version is 2"},
		{"empty model version", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["model_version"] = " " })
		}, "model_version is empty"},
		{"bad precision", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["precision"] = "fp8" })
		}, `precision is "fp8"`},
		{"short max_seq_length", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["max_seq_length"] = 2 })
		}, "max_seq_length is 2"},
		{"threshold above 1", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["confidence_threshold"] = 1.5 })
		}, "confidence_threshold is 1.5"},
		{"quantization on an fp32 model", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) {
				m["quantization"] = map[string]any{"method": "dynamic", "format": "qoperator"}
			})
		}, "quantization is given for a fp32 model"},
		{"unknown quantization method", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) {
				m["precision"] = "int8"
				m["quantization"] = map[string]any{"method": "smart"}
			})
		}, `quantization.method is "smart"`},
		{"static without calibration", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) {
				m["precision"] = "int8"
				m["quantization"] = map[string]any{"method": "static", "format": "qdq"}
			})
		}, "must say what it was calibrated on"},
		{"misspelt quantization key", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) {
				m["precision"] = "int8"
				m["quantization"] = map[string]any{"method": "static", "calibraton": map[string]any{}}
			})
		}, `unknown field "calibraton"`},
		{"unknown input", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["inputs"] = []string{"input_ids", "pixels"} })
		}, `"pixels" is not one of`},
		{"no input_ids", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["inputs"] = []string{"attention_mask"} })
		}, "inputs must include input_ids"},
		{"required file unlisted", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { delete(m["files"].(map[string]any), "tokenizer.json") })
		}, "files does not list tokenizer.json"},
		{"malformed digest", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) { m["files"].(map[string]any)["labels.json"] = "md5:abc" })
		}, `does not start with "sha256:"`},
		{"path in files", func(t *testing.T, dir string) {
			testenv.EditManifest(t, dir, func(m map[string]any) {
				m["files"].(map[string]any)["../x"] = "sha256:" + strings.Repeat("0", 64)
			})
		}, "not a plain file name"},
		{"labels not an array", func(t *testing.T, dir string) { rewrite(t, dir, "labels.json", `{"0":"a"}`) }, "want a JSON array"},
		{"labels empty", func(t *testing.T, dir string) { rewrite(t, dir, "labels.json", `[]`) }, "labels.json is empty"},
		{"duplicate label", func(t *testing.T, dir string) { rewrite(t, dir, "labels.json", `["a","b","a"]`) }, `label "a" appears at 0 and 2`},
		{"blank label", func(t *testing.T, dir string) { rewrite(t, dir, "labels.json", `["a",""]`) }, "label 1 is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testenv.CopyBundle(t, "tiny")
			tc.damage(t, dir)
			_, err := bundle.Load(context.Background(), dir)
			if err == nil {
				t.Fatal("bundle accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("error %q: want it to name the bundle and say %q", err, tc.want)
			}
		})
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := bundle.Load(ctx, testenv.Bundle(t, "tiny")); err == nil {
		t.Fatal("a cancelled load succeeded")
	}
}
