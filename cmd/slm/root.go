package main

import (
	"io"

	"github.com/spf13/cobra"
)

// version is set at link time (-ldflags "-X main.version=...").
var version = "dev"

// run builds the command tree and executes it, returning the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "slm",
		Short:         "Compile .slm.hcl pipelines into SageMaker, Terraform and Greengrass artifacts",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the slm version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			cmd.Println("slm " + version)
		},
	})
	root.AddCommand(newStepCommand())
	if err := root.Execute(); err != nil {
		_, _ = io.WriteString(stderr, "Error: "+err.Error()+"\n")
		return 1
	}
	return 0
}
