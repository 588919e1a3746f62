package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/compiler/cost"
	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy"
	"github.com/slm-project/slm/deploy/planner"
)

// planFlags are plan's flags, which apply shares when it plans.
type planFlags struct {
	vf          varFlags
	code        planner.CodeOptions
	edgeRuntime string
	model       string
	offline     bool
	priceFiles  []string
}

func (f *planFlags) register(cmd *cobra.Command) {
	f.vf.register(cmd)
	cmd.Flags().StringVar(&f.code.Runner, "runner", "", "linux/amd64 slm binary to upload as the step runner (default: this binary)")
	cmd.Flags().StringVar(&f.code.ORTLib, "ort-lib", "", "linux/amd64 libonnxruntime.so.1 to upload for evaluate (default: the pinned release "+planner.ORTVersion+")")
	cmd.Flags().StringVar(&f.model, "model", "", "model bundle for the edge release: a training model `DIR` (bundle/, bundle-int8/), a bundle directory, a bundle.tar.gz, or a model package group of slm run's local registry (its latest approved version)")
	cmd.Flags().StringVar(&f.edgeRuntime, "edge-runtime", "", "`DIR` with slm-edge and libonnxruntime.so.1 (amd64) and linux-arm64/ (default: beside slm)")
	cmd.Flags().StringArrayVar(&f.priceFiles, "price-file", nil, "JSON price `FILE` laid over the built-in price table (repeatable; format of compiler/cost/prices.json)")
	cmd.Flags().BoolVar(&f.offline, "offline", false, "do not read AWS: every item shows as a create against nothing")
}

func (a *app) planCommand() *cobra.Command {
	var (
		f        planFlags
		out      string
		asJSON   bool
		detailed bool
	)
	cmd := &cobra.Command{
		Use:   "plan [DIR]",
		Short: "Compile the pipeline, compare it with what is deployed and write the plan",
		Long: `plan compiles the configuration with the given variable values, reads what
is deployed (as terraform plan does: the SageMaker pipeline, the uploaded
objects) and prints what apply would change: the pipeline step by step and
field by field, the uploads, the Greengrass release, and a summary line.

It writes under --out a plan directory that slm apply applies exactly: the
SageMaker pipeline definition (sagemaker/pipeline.json), the generated step
code (code/<sha256>/...), the Terraform and Greengrass artifacts, and
plan.json. The step runner and ONNX Runtime are named by digest, not copied.
Nothing is written when there are errors.

AWS is read with the default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID,
SSO, web identity) in the project's region; AWS_ENDPOINT_URL points it at an
emulator. --offline plans without AWS.

Exit status: 0 success, 1 error; with --detailed-exitcode 0 no changes,
1 error, 2 changes.

Variable values, lowest precedence first: defaults, SLM_VAR_<name> environment
variables, *.auto.slmvars.hcl files in DIR (lexical order), --var-file files
(in order), --var flags (in order).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pd, err := a.makePlan(cmd, configDir(args), f, asJSON)
			if err != nil {
				return err
			}
			if err := planner.WriteDir(out, pd.Files); err != nil {
				return err
			}
			if asJSON {
				if _, err := a.stdout.Write(pd.JSON); err != nil {
					return err
				}
			} else {
				if err := plan.WriteText(a.stdout, pd.Plan); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Wrote %d files to %s. Apply exactly this plan with: slm apply %s\n", len(pd.Files), out, out)
			}
			if detailed && plan.HasChanges(pd.Plan) {
				return exitError{code: 2}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&out, "out", "build", "write the plan directory `DIR` (replaced whole)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan (or the diagnostics) as JSON")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 1 on error, 2 when there are changes")
	return cmd
}

// makePlan loads the configuration and plans it, reporting diagnostics.
func (a *app) makePlan(cmd *cobra.Command, dir string, f planFlags, asJSON bool) (*deploy.Planned, error) {
	res := a.load(cmd.Context(), dir, f.vf, false)
	if res.Diags.HasErrors() || res.Pipeline == nil {
		if err := a.reportDiagnostics(res.Diags, res.Files, asJSON); err != nil {
			return nil, err
		}
		return nil, exitError{code: 1}
	}
	// Warnings go to stderr even with --json, so stdout stays the plan
	// alone.
	if len(res.Diags) > 0 {
		if err := a.reportDiagnostics(res.Diags, res.Files, false); err != nil {
			return nil, err
		}
	}
	code := f.code
	code.Environ = a.environ
	prices, err := cost.Load(f.priceFiles...)
	if err != nil {
		return nil, err
	}
	return deploy.Plan(cmd.Context(), deploy.PlanRequest{
		Pipeline: res.Pipeline, Code: code, EdgeRuntimeDir: f.edgeRuntime, Model: f.model,
		Offline: f.offline, Version: version, Prices: prices,
	})
}
