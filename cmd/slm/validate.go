package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) validateCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Check a configuration offline, without variable values or credentials",
		Long: `validate checks every file of the configuration directory: syntax, block and
attribute names, types, references between blocks, AWS naming rules, the step
graph and the quality gates. Variables take unknown values of their declared
types, as terraform validate does, so no variable file is needed.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res := a.load(cmd.Context(), configDir(args), varFlags{}, true)
			if err := a.reportDiagnostics(res.Diags, res.Files, asJSON); err != nil {
				return err
			}
			if res.Diags.HasErrors() {
				return exitError{code: 1}
			}
			if !asJSON {
				fmt.Fprintln(a.stdout, "Success! The configuration is valid.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result and diagnostics as JSON")
	return cmd
}
