package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/deploy"
	"github.com/slm-project/slm/deploy/registry"
)

func (a *app) modelsCommand() *cobra.Command {
	var (
		vf     varFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "models [DIR]",
		Short: "List the model package versions the pipeline registered, with status, metrics and lineage",
		Long: `models reads the model package groups of the configuration's register
blocks (for the environment the variable files select) and lists every
version, newest first: its approval status, the headline figures of its
evaluation report, the data, configuration and code digests it was trained
from, and who approved or rejected it and why. Approve one with slm approve.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res := a.load(cmd.Context(), configDir(args), vf, false)
			if res.Diags.HasErrors() || res.Pipeline == nil {
				if err := a.reportDiagnostics(res.Diags, res.Files, asJSON); err != nil {
					return err
				}
				return exitError{code: 1}
			}
			var groups []string
			seen := map[string]bool{}
			for _, r := range res.Pipeline.Registers {
				if !seen[r.ModelPackageGroup] {
					seen[r.ModelPackageGroup] = true
					groups = append(groups, r.ModelPackageGroup)
				}
			}
			sort.Strings(groups)
			if len(groups) == 0 {
				return errors.New("the configuration has no register block, so no model package group to list")
			}
			reg, err := registry.Load(cmd.Context(), res.Pipeline.Project.Region)
			if err != nil {
				return err
			}
			versions, err := reg.List(cmd.Context(), groups)
			if err != nil {
				return err
			}
			if asJSON {
				if versions == nil {
					versions = []registry.Version{}
				}
				b, err := deploy.EncodeJSON(versions)
				if err != nil {
					return err
				}
				_, err = a.stdout.Write(b)
				return err
			}
			byGroup := map[string][]registry.Version{}
			for _, v := range versions {
				byGroup[v.Group] = append(byGroup[v.Group], v)
			}
			for i, g := range groups {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				vs := byGroup[g]
				fmt.Fprintf(a.stdout, "Model package group %s (region %s): %d versions\n", g, res.Pipeline.Project.Region, len(vs))
				for _, v := range vs {
					writeVersion(a, v)
				}
			}
			return nil
		},
	}
	vf.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the versions as JSON")
	return cmd
}

func writeVersion(a *app, v registry.Version) {
	fmt.Fprintf(a.stdout, "  %s  %s  %s\n", v.Ref(), v.Status, v.Created)
	if len(v.Metrics) > 0 {
		names := make([]string, 0, len(v.Metrics))
		for n := range v.Metrics {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s %.4g", n, v.Metrics[n])
		}
		fmt.Fprintf(a.stdout, "      metrics: %s\n", strings.Join(parts, ", "))
	} else if v.MetricsError != "" {
		fmt.Fprintf(a.stdout, "      metrics: unavailable (%s)\n", v.MetricsError)
	}
	var lineage []string
	for _, k := range []struct{ key, label string }{{"slm:dataset-sha256", "data"}, {"slm:config-sha256", "configuration"}, {"slm:training-code", "training code"}, {"slm:base-model", "base model"}} {
		if x := v.Metadata[k.key]; x != "" {
			lineage = append(lineage, k.label+" "+x)
		}
	}
	if len(lineage) > 0 {
		fmt.Fprintf(a.stdout, "      from: %s\n", strings.Join(lineage, "; "))
	}
	if by := v.Metadata[registry.KeyDecidedBy]; by != "" {
		fmt.Fprintf(a.stdout, "      %s by %s: %q\n", strings.ToLower(v.Metadata[registry.KeyDecided]), by, v.Metadata[registry.KeyReason])
	}
}

func (a *app) decideCommand(use, status, short string) *cobra.Command {
	var reason, region string
	cmd := &cobra.Command{
		Use:   use + " VERSION --reason TEXT",
		Short: short,
		Long: short + `. VERSION is GROUP/N as slm models lists it, or the model
package's ARN. The decision is recorded in the package's metadata with who
made it (the caller's ARN) and the reason. Approving a version is what makes
the next slm apply ship it to the edge targets of its group.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := args[0]
			if region == "" {
				// From the ARN; otherwise the SDK's default (AWS_REGION, the profile's).
				if p := strings.Split(ref, ":"); strings.HasPrefix(ref, "arn:") && len(p) > 3 {
					region = p[3]
				}
			}
			reg, err := registry.Load(cmd.Context(), region)
			if err != nil {
				return err
			}
			v, err := reg.Decide(cmd.Context(), ref, registry.Decision{Status: status, Reason: reason})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s is now %s.\n", v.Ref(), v.Status)
			writeVersion(a, v)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (recorded in the package's metadata; required)")
	cmd.Flags().StringVar(&region, "region", "", "AWS `REGION` of the model package group (default: from the ARN, or AWS_REGION)")
	return cmd
}
