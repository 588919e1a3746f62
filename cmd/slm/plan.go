package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/backends/artifact"
	"github.com/slm-project/slm/backends/greengrass"
	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/sagemaker/defcheck"
	"github.com/slm-project/slm/backends/terraform"
	"github.com/slm-project/slm/compiler/plan"
)

func (a *app) planCommand() *cobra.Command {
	var (
		vf     varFlags
		cf     codeFlags
		ef     edgeFlags
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
			// Warnings go to stderr even with --json, so stdout stays the
			// plan alone.
			if len(res.Diags) > 0 {
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
			// The compiler's checks should make this impossible; if the
			// definition still fails the schema or the semantic checks,
			// refuse to write it rather than let CreatePipeline find out.
			checker, err := defcheck.New()
			if err != nil {
				return fmt.Errorf("loading the pipeline definition checker: %w", err)
			}
			if problems := checker.Check(sm.Definition); len(problems) > 0 {
				var b strings.Builder
				for _, p := range problems {
					b.WriteString("\n  " + p.String())
				}
				return fmt.Errorf("the generated SageMaker pipeline definition is invalid; this is a bug in slm, please report it with the configuration:%s", b.String())
			}
			files := map[string][]byte{"sagemaker/pipeline.json": sm.Definition}
			for _, u := range sm.Uploads {
				files[u.Path] = sm.Files[u.URI].Content
			}
			uploads := append([]artifact.Upload(nil), sm.Uploads...)
			tfIn := terraform.Inputs{Definition: sm.Definition, Uploads: sm.Uploads}
			tfFiles, tfResources, err := terraform.Render(res.Pipeline, tfIn)
			if err != nil {
				return fmt.Errorf("generating the Terraform: %w", err)
			}
			for name, b := range tfFiles {
				files["terraform/"+name] = b
			}
			var gg *greengrass.Result
			var notes []string
			if len(res.Pipeline.EdgeTargets) > 0 {
				if ef.model == "" {
					notes = append(notes, "Greengrass components and deployments are not planned: they ship a trained model bundle. Pass --model with a training model directory (holding bundle/ and bundle-int8/) or a bundle.")
				} else {
					rt, err := edgeRuntime(res.Pipeline, ef.runtimeDir)
					if err != nil {
						return err
					}
					models, err := edgeModels(res.Pipeline, ef.model)
					if err != nil {
						return err
					}
					if gg, err = greengrass.Build(res.Pipeline, greengrass.Inputs{Runtime: rt, Models: models}); err != nil {
						return fmt.Errorf("generating the Greengrass components: %w", err)
					}
					for name, b := range gg.Files {
						files["greengrass/"+name] = b
					}
					contents := map[string][]byte{}
					for _, r := range rt {
						contents[r.Edge.SHA256()] = r.Edge.Content
						contents[r.ORT.SHA256()] = r.ORT.Content
					}
					for _, m := range models {
						contents[m.SHA256()] = m.Content
					}
					for _, u := range gg.Uploads {
						u.Path = "edge/" + u.SHA256 + "/" + u.Name
						files[u.Path] = contents[u.SHA256]
						uploads = append(uploads, u)
					}
				}
			}
			artifact.Sort(uploads)
			pl := plan.Build(res.Pipeline, uploads)
			pl.Notes = notes
			if sm.OverInlineLimit {
				pl.Notes = append(pl.Notes, fmt.Sprintf("The pipeline definition is %d characters, over SageMaker's inline limit: the Terraform passes it through S3.", sm.Size))
			}
			for _, r := range tfResources {
				action := plan.Create
				if r.Mode == "data" {
					action = plan.Read
				}
				pl.Resources = append(pl.Resources, plan.Resource{Action: action, Kind: "terraform", Type: r.Type, Name: r.Name, Address: r.Address(), Details: r.Details()})
			}
			if gg != nil {
				for _, c := range gg.Components {
					d := []string{"recipe " + c.Recipe}
					if len(c.Platforms) > 0 {
						d = append(d, "platforms "+strings.Join(c.Platforms, ", "))
					}
					if len(c.DependsOn) > 0 {
						d = append(d, "depends on "+strings.Join(c.DependsOn, ", "))
					}
					pl.Resources = append(pl.Resources, plan.Resource{Action: plan.Create, Kind: "greengrass-component", Type: c.Name, Name: c.Version, Address: c.Name + " " + c.Version, Details: d})
				}
				for _, dp := range gg.Deployments {
					d := []string{"target " + dp.TargetARN, "components " + strings.Join(dp.Components, ", "), "rollout " + dp.Rollout, "request " + dp.Request}
					if len(dp.Guards) > 0 {
						d = append(d, "ships only a model that passed gate."+strings.Join(dp.Guards, ", gate."))
					}
					addr := "edge_target." + dp.EdgeTarget + " (" + dp.Name + ")"
					switch dp.Stage {
					case "canary":
						addr = "edge_target." + dp.EdgeTarget + " stage 1 of 2, canary (" + dp.Name + ")"
						d = append(d, "stage 2 (the fleet) starts only after this deployment's IoT job succeeded; an abort or timeout stops the release")
					case "fleet":
						addr = "edge_target." + dp.EdgeTarget + " stage 2 of 2, fleet (" + dp.Name + ")"
					}
					pl.Resources = append(pl.Resources, plan.Resource{Action: plan.Create, Kind: "greengrass-deployment", Type: "edge_target", Name: dp.EdgeTarget, Address: addr, Details: d})
				}
			}
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
	cmd.Flags().StringVar(&ef.model, "model", "", "model bundle for the edge release: a training model `DIR` (bundle/, bundle-int8/), a bundle directory, or a bundle.tar.gz")
	cmd.Flags().StringVar(&ef.runtimeDir, "edge-runtime", "", "`DIR` with slm-edge and libonnxruntime.so.1 (amd64) and linux-arm64/ (default: beside slm)")
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
