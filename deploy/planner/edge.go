package planner

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/greengrass"
	"github.com/slm-project/slm/backends/sagemaker/localrun"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/stdlib/evaluate"
)

// EdgeRuntime names slm-edge and ONNX Runtime for each architecture the
// edge targets need. The layout is the build's: DIR/slm-edge and
// DIR/libonnxruntime.so.1 for amd64, DIR/linux-arm64/ for aarch64; DIR
// defaults to the directory of this slm binary.
func EdgeRuntime(p *ir.Pipeline, dir string) (map[string]greengrass.RuntimeFiles, error) {
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the slm binary's directory: %w (pass --edge-runtime)", err)
		}
		dir = filepath.Dir(exe)
	}
	sub := map[string]string{"amd64": ".", "aarch64": "linux-arm64"}
	out := map[string]greengrass.RuntimeFiles{}
	for _, t := range p.EdgeTargets {
		for _, pl := range t.Platforms {
			if _, done := out[pl.Architecture]; done {
				continue
			}
			d := filepath.Join(dir, sub[pl.Architecture])
			edge, err1 := hashFile(filepath.Join(d, "slm-edge"))
			ort, err2 := hashFile(filepath.Join(d, "libonnxruntime.so.1"))
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("edge_target %q runs on linux/%s, but slm-edge and libonnxruntime.so.1 for it are not in %s (%v): run make build build-arm64, or pass --edge-runtime", t.Name, pl.Architecture, d, err)
			}
			edge.Role, edge.Name = "slm-edge (linux/"+pl.Architecture+")", "slm-edge"
			ort.Role, ort.Name = "ONNX Runtime (linux/"+pl.Architecture+")", "libonnxruntime.so.1"
			out[pl.Architecture] = greengrass.RuntimeFiles{Edge: edge, ORT: ort}
		}
	}
	return out, nil
}

// EdgeModels packs the model bundle each edge target ships. --model names
// either one bundle (a directory with manifest.json, or a bundle.tar.gz)
// used for every target, or a training model directory holding bundle/ and
// bundle-int8/, or a model package group of the local registry `slm run`
// writes (a directory of N.json), whose latest approved version's model
// archive holds each variant's bundle.tar.gz; each target takes its variant.
// In every form the bundle's manifest must say the precision the target
// names: a target asking for int8 never ships an fp32 file. Symlinks are followed (swapping
// a symlink is how slm-edge's hot reload is documented).
func EdgeModels(p *ir.Pipeline, model string) (map[string]artifact.File, error) {
	out := map[string]artifact.File{}
	for _, t := range p.EdgeTargets {
		content, err := edgeModel(model, t.Variant)
		if err != nil {
			return nil, fmt.Errorf("edge_target %q: reading its %s model bundle from %s: %w", t.Name, t.Variant, model, err)
		}
		out[t.Name] = artifact.File{Role: "model bundle (" + t.Variant + ")", Name: "bundle.tar.gz", Content: content}
	}
	return out, nil
}

func edgeModel(model, variant string) ([]byte, error) {
	resolved, err := filepath.EvalSymlinks(model)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(model, ".tar.gz"):
		content, err := os.ReadFile(resolved)
		if err != nil {
			return nil, err
		}
		manifest, err := archiveManifest(content)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", model, err)
		}
		if err := checkPrecision(model, manifest, variant); err != nil {
			return nil, err
		}
		return content, nil
	case fileExists(filepath.Join(resolved, "1.json")):
		// A model package group of slm run's local registry: its latest
		// approved version's model archive holds each variant's bundle.
		pkg, err := localrun.LatestApproved(filepath.Dir(resolved), filepath.Base(resolved))
		if err != nil {
			return nil, err
		}
		content, err := archiveMember(pkg.ModelDataPath, variantDir(variant)+".tar.gz")
		if err != nil {
			return nil, err
		}
		manifest, err := archiveManifest(content)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pkg.ModelDataPath, err)
		}
		if err := checkPrecision(pkg.ModelDataPath, manifest, variant); err != nil {
			return nil, err
		}
		return content, nil
	case fileExists(filepath.Join(resolved, "manifest.json")):
		return packChecked(resolved, model, variant)
	default:
		sub := variantDir(variant)
		dir := filepath.Join(resolved, sub)
		if !fileExists(filepath.Join(dir, "manifest.json")) {
			return nil, fmt.Errorf("%s has no %s/manifest.json: it is neither a bundle nor a training model directory with a %s bundle (train with export { quantize_int8 = true } for int8, or set variant = \"fp32\")", model, sub, variant)
		}
		dir, err = filepath.EvalSymlinks(dir)
		if err != nil {
			return nil, err
		}
		return packChecked(dir, filepath.Join(model, sub), variant)
	}
}

// variantDir is where a training model directory keeps a variant's bundle.
func variantDir(variant string) string {
	if variant == "int8" {
		return "bundle-int8"
	}
	return "bundle"
}

// archiveMember reads one file of a tar.gz (a SageMaker model.tar.gz).
func archiveMember(archive, name string) ([]byte, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, found, err := tarGzMember(f, name, -1)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", archive, err)
	case !found:
		return nil, fmt.Errorf("%s holds no %s", archive, name)
	}
	return b, nil
}

// tarGzMember reads the regular file name (at most limit bytes; -1 for all)
// out of a tar.gz stream, saying whether it was there.
func tarGzMember(r io.Reader, name string, limit int64) ([]byte, bool, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, false, fmt.Errorf("not a gzip archive: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading the archive: %w", err)
		}
		if path.Clean(h.Name) == name && h.Typeflag == tar.TypeReg {
			var src io.Reader = tr
			if limit >= 0 {
				src = io.LimitReader(tr, limit)
			}
			b, err := io.ReadAll(src)
			return b, true, err
		}
	}
}

func packChecked(dir, shown, variant string) ([]byte, error) {
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	if err := checkPrecision(shown, manifest, variant); err != nil {
		return nil, err
	}
	return packBundle(dir)
}

// archiveManifest reads manifest.json from a bundle.tar.gz.
func archiveManifest(content []byte) ([]byte, error) {
	b, found, err := tarGzMember(bytes.NewReader(content), "manifest.json", 1<<20)
	if err == nil && !found {
		err = fmt.Errorf("no manifest.json in the archive: not a model bundle")
	}
	return b, err
}

// hashFile names a file on disk by reference: its digest, size and path.
func hashFile(path string) (artifact.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return artifact.File{}, err
	}
	defer f.Close()
	return refTo(f, path)
}

// refTo names the open file f at path by reference (digestFile).
func refTo(f *os.File, path string) (artifact.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	d, n, err := digestFile(f, abs)
	if err != nil {
		return artifact.File{}, err
	}
	return artifact.Ref("", filepath.Base(path), abs, d, int(n)), nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// packBundle archives a bundle directory the way SPEC.md section 3 says:
// files at the root, sorted, no timestamps.
func packBundle(dir string) ([]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	return artifact.TarGz(files)
}

// checkPrecision makes sure a bundle is the variant the edge target ships
// (SPEC.md section 3: manifest precision).
func checkPrecision(where string, manifest []byte, variant string) error {
	var m struct {
		Format    string `json:"format"`
		Precision string `json:"precision"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		return fmt.Errorf("%s: manifest.json: %w", where, err)
	}
	if m.Format != "slm-model-bundle" {
		return fmt.Errorf("%s: manifest format %q is not slm-model-bundle", where, m.Format)
	}
	if m.Precision != variant {
		return fmt.Errorf("%s holds a %s bundle, but the edge target ships variant %q: pass the %s bundle (or the training model directory holding it), or set variant = %q", where, m.Precision, variant, variant, m.Precision)
	}
	return nil
}

// BundleFromModelArchive takes the bundle of variant out of a training
// job's model.tar.gz (the model data a registered model package names):
// its <variant>.tar.gz member (bundle.tar.gz, bundle-int8.tar.gz), as the
// training step writes it, or else its bundle/ or bundle-int8/ directory,
// packed; the manifest must say the variant's precision.
func BundleFromModelArchive(ctx context.Context, archive []byte, variant string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "slm-model-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	tgz := filepath.Join(dir, "model.tar.gz")
	if err := os.WriteFile(tgz, archive, 0o600); err != nil {
		return nil, err
	}
	sub := variantDir(variant)
	if content, err := archiveMember(tgz, sub+".tar.gz"); err == nil {
		manifest, err := archiveManifest(content)
		if err != nil {
			return nil, fmt.Errorf("%s.tar.gz in the model archive: %w", sub, err)
		}
		if err := checkPrecision(sub+".tar.gz in the model archive", manifest, variant); err != nil {
			return nil, err
		}
		return content, nil
	}
	out := filepath.Join(dir, "model")
	if err := os.Mkdir(out, 0o700); err != nil {
		return nil, err
	}
	if err := evaluate.ExtractTarGz(ctx, tgz, out); err != nil {
		return nil, fmt.Errorf("unpacking the model archive: %w", err)
	}
	if !fileExists(filepath.Join(out, sub, "manifest.json")) {
		return nil, fmt.Errorf("the model archive holds neither %s.tar.gz nor %s/manifest.json: no %s bundle", sub, sub, variant)
	}
	return packChecked(filepath.Join(out, sub), sub+"/ in the model archive", variant)
}
