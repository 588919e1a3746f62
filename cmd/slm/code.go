package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/stdlib/python"
)

// codeFlags locate the step code that plan uploads.
type codeFlags struct {
	runner string
	ortLib string
}

// resolveCode reads the step code: the training source is embedded in slm;
// the step runner is this very binary unless --runner names another (it
// must be a linux/amd64 build); the ONNX Runtime library comes from
// --ort-lib, SLM_ORT_LIB, beside the binary, or the build tree.
func (a *app) resolveCode(cf codeFlags) (sagemaker.Code, error) {
	var code sagemaker.Code
	src, err := python.SourceDir()
	if err != nil {
		return code, fmt.Errorf("packing the training code: %w", err)
	}
	code.TrainingSource = src
	runner := cf.runner
	if runner == "" {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			return code, fmt.Errorf("this slm is a %s/%s build, but SageMaker runs linux/amd64 step code: pass --runner with a linux/amd64 slm binary (make build-runner)", runtime.GOOS, runtime.GOARCH)
		}
		exe, err := os.Executable()
		if err != nil {
			return code, fmt.Errorf("finding the slm binary to upload as the step runner: %w (pass --runner)", err)
		}
		runner = exe
	}
	if code.Runner, err = os.ReadFile(runner); err != nil {
		return code, fmt.Errorf("reading the step runner: %w", err)
	}
	if err := checkELF(code.Runner, runner); err != nil {
		return code, err
	}
	lib, err := a.findORTLib(cf.ortLib)
	if err != nil {
		return code, err
	}
	if code.ORTLibrary, err = os.ReadFile(lib); err != nil {
		return code, fmt.Errorf("reading the ONNX Runtime library: %w", err)
	}
	if err := checkELF(code.ORTLibrary, lib); err != nil {
		return code, err
	}
	return code, nil
}

func (a *app) findORTLib(flag string) (string, error) {
	var tried []string
	candidates := []string{flag}
	for _, kv := range a.environ {
		if v, ok := strings.CutPrefix(kv, "SLM_ORT_LIB="); ok {
			candidates = append(candidates, v)
		}
	}
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		candidates = append(candidates,
			filepath.Join(d, "libonnxruntime.so.1"),
			filepath.Join(d, "..", "build", "ort", "linux-amd64", "libonnxruntime.so.1"))
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

// checkELF refuses a file that SageMaker's x86-64 Linux hosts cannot run.
func checkELF(b []byte, name string) error {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s is not a Linux executable or library (%v); SageMaker runs linux/amd64 code", name, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s is built for %s, but SageMaker runs linux/amd64 (x86-64) code", name, f.Machine)
	}
	return nil
}
