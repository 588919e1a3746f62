package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/compiler/plan"
)

func (a *app) planCommand() *cobra.Command {
	var (
		vf     varFlags
		cf     codeFlags
		out    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "plan [DIR]",
		Short: "Compile the pipeline, write its artifacts and print what would be created",
		Long: `plan compiles the configuration with the given variable values and writes
under --out: the SageMaker pipeline definition (sagemaker/pipeline.json), the
content-addressed step code to upload (code/<sha256>/...), the Terraform and
Greengrass artifacts, and plan.json. It prints a plan a reviewer can read.
Nothing is written when there are errors. No AWS credentials are needed.

Variable values, lowest precedence first: defaults, SLM_VAR_<name> environment
variables, *.auto.slmvars.hcl files in DIR (lexical order), --var-file files
(in order), --var flags (in order).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res := a.load(cmd.Context(), configDir(args), vf, false)
			if res.Diags.HasErrors() || res.Pipeline == nil {
				if err := a.reportDiagnostics(res.Diags, res.Files, asJSON); err != nil {
					return err
				}
				return exitError{code: 1}
			}
			if len(res.Diags) > 0 && !asJSON {
				if err := a.reportDiagnostics(res.Diags, res.Files, false); err != nil {
					return err
				}
			}
			code, err := a.resolveCode(cf)
			if err != nil {
				return err
			}
			sm, err := sagemaker.Generate(res.Pipeline, code)
			if err != nil {
				return fmt.Errorf("generating the SageMaker pipeline: %w", err)
			}
			files := map[string][]byte{"sagemaker/pipeline.json": sm.Definition}
			for _, u := range sm.Uploads {
				files[u.Path] = sm.Files[u.URI].Content
			}
			pl := plan.Build(res.Pipeline, sm.Uploads)
			paths := make([]string, 0, len(files))
			for p := range files {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			for _, p := range paths {
				sum := sha256.Sum256(files[p])
				pl.Artifacts = append(pl.Artifacts, plan.Artifact{Path: p, SHA256: hex.EncodeToString(sum[:]), Size: len(files[p])})
			}
			planJSON, err := encodeJSON(pl)
			if err != nil {
				return err
			}
			files["plan.json"] = planJSON
			if err := writeOutDir(out, files); err != nil {
				return err
			}
			if asJSON {
				_, err := a.stdout.Write(planJSON)
				return err
			}
			if err := plan.WriteText(a.stdout, pl); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Wrote %d files to %s.\n", len(files), out)
			return nil
		},
	}
	vf.register(cmd)
	cmd.Flags().StringVar(&out, "out", "build", "write artifacts under `DIR` (replaced whole)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan (or the diagnostics) as JSON")
	cmd.Flags().StringVar(&cf.runner, "runner", "", "linux/amd64 slm binary to upload as the step runner (default: this binary)")
	cmd.Flags().StringVar(&cf.ortLib, "ort-lib", "", "linux/amd64 libonnxruntime.so.1 to upload for evaluate")
	return cmd
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}
