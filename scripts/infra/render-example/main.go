// Command render-example compiles examples/intent for one environment and writes the Terraform backend's
// output to <out>/terraform, for the real tools (tflint, trivy) that `make check-infra` runs over it.
//
//	go run ./scripts/infra/render-example -env dev -out build/infra/dev
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/terraform"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

func main() {
	env := flag.String("env", "", "environment: examples/intent/envs/<env>.slmvars.hcl")
	out := flag.String("out", "", "output directory; Terraform goes to <out>/terraform")
	flag.Parse()
	if *env == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "render-example: -env and -out are required")
		os.Exit(2)
	}
	if err := run(*env, *out); err != nil {
		fmt.Fprintf(os.Stderr, "render-example: %v\n", err)
		os.Exit(1)
	}
}

func run(env, out string) error {
	res := compiler.Load(context.Background(), compiler.Request{
		FS:   os.DirFS("."),
		Dir:  "examples/intent",
		Vars: lang.VarInputs{VarFiles: []string{"examples/intent/envs/" + env + ".slmvars.hcl"}},
	})
	if res.Diags.HasErrors() || res.Pipeline == nil {
		return fmt.Errorf("compiling examples/intent for %s: %s", env, res.Diags.Error())
	}
	// The step code's bytes only set content-addressed keys; the linters read the Terraform around them.
	sm, err := sagemaker.Generate(res.Pipeline, sagemaker.Code{Runner: []byte("slm"), ORTLibrary: []byte("ort"), TrainingSource: []byte("src")})
	if err != nil {
		return fmt.Errorf("generating the SageMaker definition: %w", err)
	}
	files, err := terraform.Generate(res.Pipeline, terraform.Inputs{Uploads: sm.Uploads})
	if err != nil {
		return err
	}
	dir := filepath.Join(out, "terraform")
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clearing %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := writeAtomic(filepath.Join(dir, n), files[n]); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".render-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	merr := os.Chmod(tmp.Name(), 0o644)
	if err := errors.Join(werr, cerr, merr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
