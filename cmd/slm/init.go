package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/scaffold"
)

const (
	// scaffoldGo is the Go toolchain the scaffolded workflows build slm
	// with: go.mod's go directive (a test keeps them equal).
	scaffoldGo = "1.26"
	// scaffoldTerraform is the Terraform the workflows apply the estate
	// with; the generated Terraform needs 1.10 or later (S3 lock files).
	scaffoldTerraform = "1.10.5"
)

func (a *app) initCommand() *cobra.Command {
	var (
		force bool
		o     scaffold.Options
	)
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Start a project: a pipeline, per-environment variables and CI/CD workflows",
		Long: `init writes a new project into DIR: a pipeline with comments
(pipeline.slm.hcl, variables.slm.hcl), envs/{dev,staging,prod}.slmvars.hcl,
a .gitignore, and GitHub Actions workflows that plan every pull request
(the plan posted as a comment) and deploy on merge (production behind
reviewers), with AWS access through GitHub's OIDC. It plans at once:

  slm plan DIR --var-file DIR/envs/dev.slmvars.hcl --offline

DIR must be empty or absent; --force writes into a non-empty DIR and lists
every file it replaces.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := filepath.Clean(args[0])
			entries, err := os.ReadDir(dir)
			exists := !errors.Is(err, fs.ErrNotExist)
			switch {
			case exists && err != nil:
				return fmt.Errorf("reading %s: %w", dir, err)
			case len(entries) > 0 && !force:
				return fmt.Errorf("%s is not empty (it has %s); slm init writes only into an empty or new directory; pass --force to write into it anyway (replaced files are listed)", dir, entries[0].Name())
			}
			if o.Name == "" {
				abs, err := filepath.Abs(dir)
				if err != nil {
					return fmt.Errorf("resolving %s: %w", dir, err)
				}
				if o.Name, err = scaffold.NameFrom(abs); err != nil {
					return err
				}
			}
			o.Version = version
			if o.Version == "dev" || o.Version == "" {
				o.Version = "latest"
			}
			o.GoVersion, o.TerraformVersion = scaffoldGo, scaffoldTerraform
			files, err := scaffold.Files(o)
			if err != nil {
				return err
			}
			if !exists {
				if err := writeNewDir(dir, files); err != nil {
					return err
				}
			} else {
				replaced, err := writeInto(dir, files)
				if err != nil {
					return err
				}
				for _, r := range replaced {
					fmt.Fprintf(a.stdout, "Replaced %s\n", filepath.Join(dir, r))
				}
			}
			fmt.Fprintf(a.stdout, "Wrote project %q to %s:\n", o.Name, dir)
			for _, p := range scaffold.Paths(files) {
				fmt.Fprintf(a.stdout, "  %s\n", p)
			}
			fmt.Fprintf(a.stdout, "\nNext:\n  cd %s\n  slm plan . --var-file envs/dev.slmvars.hcl --offline\n"+
				"Set the account ids in envs/*.slmvars.hcl, apply the account bootstrap (infra/ in the slm repository),\n"+
				"and set the GitHub variables the workflows name (.github/workflows/*.yml say which).\n", dir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "write into a non-empty DIR, replacing files of the same names")
	cmd.Flags().StringVar(&o.Name, "name", "", "project `NAME` (default: from DIR)")
	cmd.Flags().StringVar(&o.Region, "region", "eu-west-1", "AWS `REGION` of the environments")
	cmd.Flags().StringVar(&o.BucketSuffix, "bucket-suffix", "changeme", "`SUFFIX` that makes bucket names globally unique, e.g. your account alias")
	return cmd
}

// writeNewDir writes files into a new directory all at once: a sibling
// temporary directory renamed into place, so a failure leaves nothing.
func writeNewDir(dir string, files map[string][]byte) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".init-")
	if err != nil {
		return fmt.Errorf("creating a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, p := range scaffold.Paths(files) {
		if err := writeFile(filepath.Join(tmp, filepath.FromSlash(p)), files[p]); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("setting the permissions of %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("moving the project into %s: %w", dir, err)
	}
	return nil
}

// writeInto writes files into an existing directory, each atomically
// (temporary file, then rename), and returns the paths it replaced.
func writeInto(dir string, files map[string][]byte) ([]string, error) {
	var replaced []string
	for _, p := range scaffold.Paths(files) {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if st, err := os.Stat(dst); err == nil {
			if st.IsDir() {
				return replaced, fmt.Errorf("%s is a directory where slm init writes a file; move it away", dst)
			}
			replaced = append(replaced, p)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return replaced, fmt.Errorf("creating %s: %w", filepath.Dir(dst), err)
		}
		f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-")
		if err != nil {
			return replaced, fmt.Errorf("writing %s: %w", dst, err)
		}
		_, werr := f.Write(files[p])
		cerr := f.Close()
		if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o644)); err != nil {
			os.Remove(f.Name())
			return replaced, fmt.Errorf("writing %s: %w", dst, err)
		}
		if err := os.Rename(f.Name(), dst); err != nil {
			os.Remove(f.Name())
			return replaced, fmt.Errorf("writing %s: %w", dst, err)
		}
	}
	return replaced, nil
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", strings.TrimPrefix(p, "/"), err)
	}
	return nil
}
