package planner

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/stdlib/python"
)

// The ONNX Runtime release slm is built and tested with (scripts/setup-ort.sh,
// npm onnxruntime-node 1.30.0). Its digest is known, so a plan names the
// library by digest without the file on disk; apply reads the file (from
// the same places) and checks the digest before uploading it.
const (
	ORTVersion      = "1.30.0"
	ORTAMD64SHA256  = "ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"
	ORTAMD64Size    = 45828512
	ORTARM64SHA256  = "1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76"
	ORTARM64Size    = 25135496
	ortLibName      = "libonnxruntime.so.1"
	ortSearchEnvVar = "SLM_ORT_LIB"
)

// CodeOptions locate the step code a plan uploads.
type CodeOptions struct {
	// Runner is a linux/amd64 slm binary; empty means this very binary.
	Runner string
	// ORTLib is a linux/amd64 libonnxruntime.so.1; empty means the pinned
	// release, wherever it is (see FindORTLib).
	ORTLib string
	// Environ is the process environment (SLM_ORT_LIB).
	Environ []string
}

// ResolveCode names the step code: the training source is embedded in slm
// and packed; the runner and the ONNX Runtime library are given by
// reference (digest, size, path). The runner is hashed (a few
// milliseconds); the pinned library is not read at all unless --ort-lib
// names a file of its own.
func ResolveCode(o CodeOptions) (sagemaker.Code, error) {
	var code sagemaker.Code
	src, err := python.SourceDir()
	if err != nil {
		return code, fmt.Errorf("packing the training code: %w", err)
	}
	code.TrainingSource = src
	runner := o.Runner
	if runner == "" {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			return code, fmt.Errorf("this slm is a %s/%s build, but SageMaker runs linux/amd64 step code: pass --runner with a linux/amd64 slm binary", runtime.GOOS, runtime.GOARCH)
		}
		exe, err := os.Executable()
		if err != nil {
			return code, fmt.Errorf("finding the slm binary to upload as the step runner: %w (pass --runner)", err)
		}
		runner = exe
	}
	rf, err := hashELF(runner, "step runner")
	if err != nil {
		return code, err
	}
	code.RunnerFile = &rf
	if o.ORTLib != "" {
		lf, err := hashELF(o.ORTLib, "ONNX Runtime library")
		if err != nil {
			return code, err
		}
		code.ORTLibraryFile = &lf
		return code, nil
	}
	// The pinned release: where it is does not change what the plan says.
	path, _ := FindORTLib("", o.Environ)
	ort := artifact.Ref("", ortLibName, path, ORTAMD64SHA256, ORTAMD64Size)
	code.ORTLibraryFile = &ort
	return code, nil
}

// FindORTLib finds the linux/amd64 ONNX Runtime library: flag, SLM_ORT_LIB,
// beside the slm binary, or the build tree.
func FindORTLib(flag string, environ []string) (string, error) {
	var tried []string
	candidates := []string{flag}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, ortSearchEnvVar+"="); ok {
			candidates = append(candidates, v)
		}
	}
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		candidates = append(candidates,
			filepath.Join(d, ortLibName),
			filepath.Join(d, "..", "build", "ort", "linux-amd64", ortLibName))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
		tried = append(tried, c)
	}
	return "", fmt.Errorf("the ONNX Runtime library (linux/amd64) that evaluate runs with was not found (tried %s): run make setup-ort, or pass --ort-lib", strings.Join(tried, ", "))
}

// hashELF digests a file SageMaker's x86-64 Linux hosts will run, refusing
// one they cannot.
func hashELF(path, what string) (artifact.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return artifact.File{}, fmt.Errorf("reading the %s: %w", what, err)
	}
	defer f.Close()
	if err := checkELF(f, path); err != nil {
		return artifact.File{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return artifact.File{}, fmt.Errorf("reading %s: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return artifact.File{}, fmt.Errorf("reading %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return artifact.Ref("", filepath.Base(path), abs, hex.EncodeToString(h.Sum(nil)), int(n)), nil
}

// checkELF refuses a file that SageMaker's x86-64 Linux hosts cannot run.
func checkELF(r io.ReaderAt, name string) error {
	f, err := elf.NewFile(r)
	if err != nil {
		return fmt.Errorf("%s is not a Linux executable or library (%v); SageMaker runs linux/amd64 code", name, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s is built for %s, but SageMaker runs linux/amd64 (x86-64) code", name, f.Machine)
	}
	return nil
}

// ReadSource reads a file given by reference and checks it is the file the
// plan named: apply uploads nothing else.
func ReadSource(f artifact.File, environ []string) ([]byte, error) {
	path := f.Source
	if path == "" && f.Name == ortLibName && f.Digest == ORTAMD64SHA256 {
		p, err := FindORTLib("", environ)
		if err != nil {
			return nil, err
		}
		path = p
	}
	if path == "" {
		return nil, fmt.Errorf("%s (sha256 %s): the plan does not say where it is", f.Name, f.Digest)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s for upload: %w", path, err)
	}
	if got := (artifact.File{Content: b}).SHA256(); got != f.Digest {
		return nil, fmt.Errorf("%s has sha256 %s, but the plan uploads %s with sha256 %s: the file changed since the plan; plan again", path, got, f.Name, f.Digest)
	}
	return b, nil
}
