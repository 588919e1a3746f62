package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/deploy"
)

func (a *app) showCommand() *cobra.Command {
	var (
		asJSON    bool
		format    string
		wholePlan string
		header    string
	)
	cmd := &cobra.Command{
		Use:   "show PLAN_DIR",
		Short: "Print a saved plan as text, JSON or Markdown (for a pull-request comment)",
		Long: `show reads the plan slm plan --out wrote and prints it: as slm plan printed
it (text), as plan.json (--json), or as Markdown for a pull-request comment
(--format markdown): a summary first, IAM and security changes expanded, then
one collapsible section per part, changes before unchanged items, long
sections cut so the comment stays under GitHub's 65,536-character limit.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				if cmd.Flags().Changed("format") && format != "json" {
					return fmt.Errorf("--json and --format %s disagree; give one", format)
				}
				format = "json"
			}
			if format != "text" && format != "json" && format != "markdown" {
				return fmt.Errorf("--format %q is not one of text, json, markdown", format)
			}
			pl, err := plan.Load(args[0])
			if err != nil {
				return err
			}
			switch format {
			case "text":
				return plan.WriteText(a.stdout, pl)
			case "json":
				b, err := deploy.EncodeJSON(pl)
				if err != nil {
					return err
				}
				_, err = a.stdout.Write(b)
				return err
			case "markdown":
				return plan.WriteMarkdown(a.stdout, pl, plan.MarkdownOptions{WholePlan: wholePlan, Header: header})
			}
			return fmt.Errorf("--format %q is not one of text, json, markdown", format)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print plan.json (same as --format json)")
	cmd.Flags().StringVar(&format, "format", "text", "`text`, json or markdown")
	cmd.Flags().StringVar(&wholePlan, "whole-plan", "", "where readers find the whole plan when Markdown sections are cut, e.g. a workflow run's URL")
	cmd.Flags().StringVar(&header, "header", "", "a first `LINE` before the Markdown plan, within the size limit (e.g. an HTML comment a workflow finds its comment by)")
	return cmd
}
