package main

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at link time (-ldflags "-X main.version=...").
var version = "dev"

// app is what every command needs from the process: its streams and
// environment, passed in so tests run commands in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
}

// exitError carries an exit code after the command already reported why.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit" }

// run builds the command tree and executes it with no standard input,
// returning the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	return runIO(ctx, args, strings.NewReader(""), stdout, stderr, environ)
}

// runIO is run with a standard input (apply's confirmation prompt).
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
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
			info, _ := debug.ReadBuildInfo()
			cmd.Println("slm " + versionString(version, info))
		},
	})
	root.AddCommand(a.validateCommand(), a.planCommand(), a.fmtCommand(), a.graphCommand())
	root.AddCommand(a.runCommand(), a.showCommand(), a.initCommand())
	root.AddCommand(newStepCommand())
	root.AddCommand(a.applyCommand(), a.forceUnlockCommand())
	if err := root.ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		_, _ = io.WriteString(stderr, "Error: "+err.Error()+"\n")
		return 1
	}
	return 0
}

// versionString is the linked version (make build passes the commit, as for
// slm-edge), else the commit the Go toolchain stamped into the binary, so a
// plain go build does not say "dev" either.
func versionString(linked string, info *debug.BuildInfo) string {
	if linked != "dev" || info == nil {
		return linked
	}
	var rev string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return linked
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
