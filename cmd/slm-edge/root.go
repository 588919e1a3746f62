package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "slm-edge",
		Short:         "Serve a fine-tuned intent model on the device with ONNX Runtime",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(serveCommand(stderr), classifyCommand(stdout), &cobra.Command{
		Use:   "version",
		Short: "Print the slm-edge version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(stdout, "slm-edge %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	})
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "slm-edge:", err)
		return 1
	}
	return 0
}
