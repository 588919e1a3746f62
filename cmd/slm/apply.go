package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy/awsdeploy"
	"github.com/slm-project/slm/deploy/planner"
)

func (a *app) applyCommand() *cobra.Command {
	var (
		f           planFlags
		autoApprove bool
		start, wait bool
		params      []string
	)
	cmd := &cobra.Command{
		Use:   "apply DIR",
		Short: "Apply a saved plan exactly, or plan a configuration and apply it once approved",
		Long: `apply DIR, with DIR a plan directory written by slm plan --out, applies that
plan exactly: it checks the account and region (STS), takes the lock (an S3
object in the artifact storage), re-reads what the plan was computed against
and refuses a stale plan, uploads the missing objects (If-None-Match, SHA-256
checksums), creates or updates the SageMaker pipeline (tagged with the plan's
digest), and releases the lock. A plan made by another slm version, or whose
files were edited, is refused.

apply DIR, with DIR a configuration directory (and --var-file ...), plans,
shows the plan and asks for yes (or --auto-approve).

Terraform keeps the estate (buckets, KMS, IAM, model package groups, IoT):
apply it first (terraform apply on the plan's terraform/ directory).

--start starts an execution of the applied pipeline (--param NAME=VALUE
sets its parameters); --wait follows it until it ends and exits 1 when it
fails.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := args[0]
			var saved *planner.Saved
			if planner.IsPlanDir(dir) {
				s, err := planner.LoadSaved(dir, version)
				if err != nil {
					return err
				}
				saved = s
			} else {
				if f.offline {
					return errors.New("apply cannot run --offline: it compares with and changes what is deployed")
				}
				pd, err := a.makePlan(cmd, dir, f, false)
				if err != nil {
					return err
				}
				if err := plan.WriteText(a.stdout, pd.Plan); err != nil {
					return err
				}
				if !plan.HasChanges(pd.Plan) && !start {
					return nil
				}
				if !autoApprove && plan.HasChanges(pd.Plan) {
					ok, err := a.confirm()
					if err != nil {
						return err
					}
					if !ok {
						fmt.Fprintln(a.stdout, "Apply cancelled.")
						return exitError{code: 1}
					}
				}
				tmp, err := os.MkdirTemp("", "slm-apply-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				out := tmp + "/plan"
				if err := planner.WriteDir(out, pd.Files); err != nil {
					return err
				}
				if saved, err = planner.LoadSaved(out, version); err != nil {
					return err
				}
			}
			c, err := awsdeploy.LoadClients(ctx, saved.Plan.Region)
			if err != nil {
				return err
			}
			res, err := c.Apply(ctx, saved, awsdeploy.ApplyOptions{Environ: a.environ, Progress: a.stdout})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Apply complete: %d uploaded, %d already in S3; pipeline %s.\n", res.Uploaded, res.AlreadyThere, describe(res.Pipeline))
			if start {
				return a.startExecution(ctx, c, saved, res, params, wait)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking (a configuration directory only; a saved plan is approved already)")
	cmd.Flags().BoolVar(&start, "start", false, "start an execution of the applied pipeline")
	cmd.Flags().StringArrayVar(&params, "param", nil, "pipeline parameter for --start: `NAME=VALUE` (repeatable)")
	cmd.Flags().BoolVar(&wait, "wait", false, "with --start, follow the execution until it ends; exit 1 when it fails")
	return cmd
}

func describe(a plan.Action) string {
	switch a {
	case plan.Create:
		return "created"
	case plan.Update:
		return "updated"
	}
	return "unchanged"
}

// confirm asks for "yes", as terraform apply does.
func (a *app) confirm() (bool, error) {
	fmt.Fprint(a.stdout, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, errors.New("no answer on standard input: pass --auto-approve to apply without asking, or apply a saved plan")
	}
	return strings.TrimSpace(line) == "yes", nil
}

func (a *app) startExecution(ctx context.Context, c *awsdeploy.Clients, s *planner.Saved, res awsdeploy.Applied, params []string, wait bool) error {
	values := map[string]string{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return fmt.Errorf("--param %q: want NAME=VALUE", p)
		}
		values[k] = v
	}
	known := map[string]bool{}
	for _, p := range s.Plan.Parameters {
		known[p.Name] = true
	}
	for k := range values {
		if !known[k] {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			return fmt.Errorf("--param %s: the pipeline has no such parameter (it has %s)", k, strings.Join(names, ", "))
		}
	}
	ex, err := c.Start(ctx, s.Plan.Target.Name, res.PipelineVersionID, values)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Started execution %s.\n", ex)
	if !wait {
		return nil
	}
	status, err := c.Wait(ctx, ex, a.stdout)
	if err != nil {
		return err
	}
	if status != "Succeeded" {
		return fmt.Errorf("the execution %s ended %s", ex, status)
	}
	return nil
}

func (a *app) forceUnlockCommand() *cobra.Command {
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "force-unlock ID [DIR]",
		Short: "Release the apply lock left by an apply that died",
		Long: `force-unlock releases the apply lock of the pipeline DIR names (a plan
directory, or a configuration directory with --var-file ...) when its id is
ID, the id the refused apply printed. A lock with another id is left alone.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := configDir(args[1:])
			var lockURI, region string
			if planner.IsPlanDir(dir) {
				s, err := planner.LoadSaved(dir, version)
				if err != nil {
					return err
				}
				lockURI, region = s.Plan.Lock, s.Plan.Region
			} else {
				res := a.load(ctx, dir, vf, false)
				if res.Diags.HasErrors() || res.Pipeline == nil {
					if err := a.reportDiagnostics(res.Diags, res.Files, false); err != nil {
						return err
					}
					return exitError{code: 1}
				}
				lockURI, region = planner.LockURI(res.Pipeline), res.Pipeline.Project.Region
			}
			c, err := awsdeploy.LoadClients(ctx, region)
			if err != nil {
				return err
			}
			info, err := c.ForceUnlock(ctx, lockURI, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Released the lock %s (id %s, held by %s since %s).\n", lockURI, info.ID, info.Who, info.Created)
			return nil
		},
	}
	vf.register(cmd)
	return cmd
}
