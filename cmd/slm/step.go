package main

import "github.com/spf13/cobra"

// newStepCommand groups the stdlib's Go pipeline steps. The compiler emits
// SageMaker Processing jobs that run these with the same flags a developer
// uses locally (SPEC.md section 2).
func newStepCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "step",
		Short: "Run one of the pipeline's Go steps (prepare, evaluate, baseline)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newStepPrepareCommand(), newStepEvaluateCommand(), newStepBaselineCommand())
	return cmd
}
