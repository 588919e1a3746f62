package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

// varFlags are the flags that set variables.
type varFlags struct {
	files  []string
	vars   []string
	strict bool
}

func (v *varFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&v.files, "var-file", nil, "load variable values from `FILE` (repeatable; later files win)")
	cmd.Flags().StringArrayVar(&v.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable; wins over files)")
	cmd.Flags().BoolVar(&v.strict, "strict", false, "treat a var file value for an undeclared variable as an error (also "+lang.StrictEnv+"=1); for CI")
}

// configDir picks the configuration directory: the argument or ".".
func configDir(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// load compiles dir. Paths are read through an os.DirFS rooted at "/" for
// absolute paths or the working directory otherwise, so diagnostics show
// paths as the user typed them.
func (a *app) load(ctx context.Context, dir string, vf varFlags, validate bool) compiler.Result {
	return compiler.Load(ctx, compiler.Request{
		FS:       dirFS{},
		Dir:      filepath.Clean(dir),
		Vars:     lang.VarInputs{Environ: a.environ, VarFiles: vf.files, Vars: vf.vars, Strict: vf.strict || a.strictEnv()},
		Validate: validate,
	})
}

// dirFS opens paths relative to the working directory (or absolute), like
// os.Open, while satisfying fs.FS for the parser.
type dirFS struct{}

func (dirFS) Open(name string) (fs.File, error) { return os.Open(name) }

// reportDiagnostics writes diagnostics for people (stderr) or as JSON
// (stdout), and says whether there were errors.
func (a *app) reportDiagnostics(diags hcl.Diagnostics, files map[string]*hcl.File, asJSON bool) error {
	if asJSON {
		return writeJSONDiagnostics(a.stdout, diags, files, nil)
	}
	if len(diags) == 0 {
		return nil
	}
	return lang.WriteDiagnostics(a.stderr, diags, files)
}

type jsonDiagnostics struct {
	Valid        bool                  `json:"valid"`
	ErrorCount   int                   `json:"error_count"`
	WarningCount int                   `json:"warning_count"`
	Diagnostics  []lang.JSONDiagnostic `json:"diagnostics"`
}

func writeJSONDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File, extra map[string]any) error {
	out := jsonDiagnostics{Valid: !diags.HasErrors(), Diagnostics: []lang.JSONDiagnostic{}}
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out.ErrorCount++
		} else {
			out.WarningCount++
		}
		out.Diagnostics = append(out.Diagnostics, lang.NewJSONDiagnostic(d, files))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing diagnostics: %w", err)
	}
	return nil
}

// strictEnv reads SLM_STRICT from the command's environment.
func (a *app) strictEnv() bool {
	for _, kv := range a.environ {
		if k, v, _ := strings.Cut(kv, "="); k == lang.StrictEnv {
			return v == "1" || strings.EqualFold(v, "true")
		}
	}
	return false
}
