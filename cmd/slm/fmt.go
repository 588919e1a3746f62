package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"

	"github.com/slm-project/slm/lang"
)

func (a *app) fmtCommand() *cobra.Command {
	var check, recursive bool
	cmd := &cobra.Command{
		Use:   "fmt [DIR|FILE]...",
		Short: "Rewrite .slm.hcl and .slmvars.hcl files in the canonical format",
		Long: `fmt rewrites configuration and variable files in the canonical HCL style
(alignment, indentation, spacing). With --check it changes nothing, lists the
files that need formatting and exits 1 if there are any.

A directory covers its .slm.hcl files and the .slmvars.hcl files in it and in
its subdirectories (envs/); --recursive also covers .slm.hcl files in
subdirectories (other configurations).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			files, err := formatTargets(args, recursive)
			if err != nil {
				return err
			}
			var diags hcl.Diagnostics
			sources := map[string]*hcl.File{}
			var unformatted []string
			formatted := map[string][]byte{}
			for _, f := range files {
				src, err := os.ReadFile(f)
				if err != nil {
					return fmt.Errorf("reading %s: %w", f, err)
				}
				// Parse first: formatting a file with syntax errors could
				// move tokens the user has yet to fix.
				parsed, pdiags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
				sources[f] = parsed
				if pdiags.HasErrors() {
					diags = append(diags, pdiags...)
					continue
				}
				if out := hclwrite.Format(src); !bytes.Equal(out, src) {
					unformatted = append(unformatted, f)
					formatted[f] = out
				}
			}
			// All or nothing: with a syntax error anywhere, no file changes.
			if len(diags) > 0 {
				if err := lang.WriteDiagnostics(a.stderr, diags, sources); err != nil {
					return err
				}
				return exitError{code: 1}
			}
			for _, f := range unformatted {
				if !check {
					if err := writeFileAtomic(f, formatted[f]); err != nil {
						return err
					}
				}
				fmt.Fprintln(a.stdout, f)
			}
			if check && len(unformatted) > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "change nothing; exit 1 if any file needs formatting")
	cmd.Flags().BoolVar(&recursive, "recursive", false, "also format files in subdirectories")
	return cmd
}

func isFormattable(name string) bool {
	return strings.HasSuffix(name, lang.FileSuffix) || strings.HasSuffix(name, lang.VarFileSuffix)
}

func formatTargets(args []string, recursive bool) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("no such file or directory: %s", arg)
		}
		if !st.IsDir() {
			if !seen[arg] {
				seen[arg] = true
				out = append(out, arg)
			}
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != arg && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			// Variable files are a configuration's own even in
			// subdirectories (envs/dev.slmvars.hcl), so a check of the
			// directory covers them; configuration files below it are
			// other configurations, formatted with --recursive.
			nested := filepath.Dir(p) != filepath.Clean(arg)
			if nested && !recursive && !strings.HasSuffix(d.Name(), lang.VarFileSuffix) {
				return nil
			}
			if isFormattable(d.Name()) && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", arg, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// writeFileAtomic replaces a file through a temporary file and a rename, so
// an interrupted write never leaves half a file.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
