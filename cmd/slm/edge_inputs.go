package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/greengrass"
	"github.com/slm-project/slm/backends/sagemaker/localrun"
	"github.com/slm-project/slm/compiler/ir"
)

// edgeFlags locate what the Greengrass components carry.
type edgeFlags struct {
	runtimeDir string
	model      string
}

// edgeRuntime reads slm-edge and ONNX Runtime for each architecture the
// edge targets need. The layout is the build's: DIR/slm-edge and
// DIR/libonnxruntime.so.1 for amd64, DIR/linux-arm64/ for aarch64; DIR
// defaults to the directory of this slm binary.
func edgeRuntime(p *ir.Pipeline, dir string) (map[string]greengrass.RuntimeFiles, error) {
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
			edge, err1 := os.ReadFile(filepath.Join(d, "slm-edge"))
			ort, err2 := os.ReadFile(filepath.Join(d, "libonnxruntime.so.1"))
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("edge_target %q runs on linux/%s, but slm-edge and libonnxruntime.so.1 for it are not in %s (%v): run make build build-arm64, or pass --edge-runtime", t.Name, pl.Architecture, d, err)
			}
			out[pl.Architecture] = greengrass.RuntimeFiles{
				Edge: artifact.File{Role: "slm-edge (linux/" + pl.Architecture + ")", Name: "slm-edge", Content: edge},
				ORT:  artifact.File{Role: "ONNX Runtime (linux/" + pl.Architecture + ")", Name: "libonnxruntime.so.1", Content: ort},
			}
		}
	}
	return out, nil
}

// edgeModels packs the model bundle each edge target ships. --model names
// either one bundle (a directory with manifest.json, or a bundle.tar.gz)
// used for every target, a training model directory holding bundle/ and
// bundle-int8/, or a model package group of the local registry `slm run`
// writes (a directory of N.json), whose latest approved version's model
// archive holds each variant's bundle.tar.gz; each target takes its variant.
func edgeModels(p *ir.Pipeline, model string) (map[string]artifact.File, error) {
	out := map[string]artifact.File{}
	for _, t := range p.EdgeTargets {
		var content []byte
		var err error
		sub := "bundle"
		if t.Variant == "int8" {
			sub = "bundle-int8"
		}
		switch {
		case strings.HasSuffix(model, ".tar.gz"):
			content, err = os.ReadFile(model)
		case fileExists(filepath.Join(model, "1.json")):
			var pkg *localrun.ModelPackage
			if pkg, err = localrun.LatestApproved(filepath.Dir(model), filepath.Base(model)); err == nil {
				content, err = archiveMember(pkg.ModelDataPath, sub+".tar.gz")
			}
		case fileExists(filepath.Join(model, "manifest.json")):
			content, err = packBundle(model)
		default:
			dir := filepath.Join(model, sub)
			if err = checkPrecision(dir, t.Variant); err == nil {
				content, err = packBundle(dir)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("edge_target %q: reading its %s model bundle from %s: %w", t.Name, t.Variant, model, err)
		}
		out[t.Name] = artifact.File{Role: "model bundle (" + t.Variant + ")", Name: "bundle.tar.gz", Content: content}
	}
	return out, nil
}

// archiveMember reads one file of a tar.gz (a SageMaker model.tar.gz).
func archiveMember(archive, name string) ([]byte, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s holds no %s", archive, name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", archive, err)
		}
		if strings.TrimPrefix(h.Name, "./") == name && h.Typeflag == tar.TypeReg {
			return io.ReadAll(tr)
		}
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// packBundle archives a bundle directory the way SPEC.md section 3 says:
// files at the root, sorted, no timestamps.
func packBundle(dir string) ([]byte, error) {
	if !fileExists(filepath.Join(dir, "manifest.json")) {
		return nil, fmt.Errorf("%s is not a model bundle (no manifest.json)", dir)
	}
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

// checkPrecision makes sure a training model directory's bundle is the
// variant the edge target ships (SPEC.md section 3: manifest precision).
func checkPrecision(dir, variant string) error {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return fmt.Errorf("%s is not a model bundle: %w", dir, err)
	}
	var m struct {
		Format    string `json:"format"`
		Precision string `json:"precision"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	if m.Format != "slm-model-bundle" || m.Precision != variant {
		return fmt.Errorf("%s holds a %q bundle of precision %q, but the edge target ships %s", dir, m.Format, m.Precision, variant)
	}
	return nil
}
