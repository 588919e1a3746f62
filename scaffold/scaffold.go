// Package scaffold holds the project `slm init` writes: a pipeline with
// comments, per-environment variable files, a .gitignore and GitHub Actions
// workflows (plan on pull requests, deploy on merge, production behind
// reviewers, AWS through OIDC). The files are templates under template/,
// with [[ ]] delimiters so GitHub's ${{ }} expressions pass through.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

//go:embed all:template
var files embed.FS

// Options fill the templates.
type Options struct {
	// Name is the project name: lower-case letters, digits and hyphens.
	Name string
	// Region is the AWS region the environments default to.
	Region string
	// BucketSuffix makes bucket names globally unique.
	BucketSuffix string
	// Version is the slm version the workflows install (a module version
	// or "latest").
	Version string
	// GoVersion is the Go toolchain the workflows install slm with.
	GoVersion string
	// TerraformVersion is the Terraform the workflows apply the estate with.
	TerraformVersion string
}

// ComponentPrefix is the Greengrass component name prefix for the project.
func (o Options) ComponentPrefix() string { return "com.example." + strings.ReplaceAll(o.Name, "-", "") }

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,23}[a-z0-9]$`)

// NameFrom turns a directory name into a project name, or says why it
// cannot.
func NameFrom(dir string) (string, error) {
	base := strings.ToLower(path.Base(strings.ReplaceAll(dir, "\\", "/")))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == '_' || r == '.' || r == ' ':
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if !namePattern.MatchString(name) {
		return "", fmt.Errorf("%q does not make a project name (2 to 25 lower-case letters, digits and hyphens, starting with a letter); pass --name", base)
	}
	return name, nil
}

// Files renders the project: relative path -> content.
func Files(o Options) (map[string][]byte, error) {
	if !namePattern.MatchString(o.Name) {
		return nil, fmt.Errorf("project name %q: use 2 to 25 lower-case letters, digits and hyphens, starting with a letter", o.Name)
	}
	out := map[string][]byte{}
	err := fs.WalkDir(files, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Delims("[[", "]]").Option("missingkey=error").Parse(string(src))
		if err != nil {
			return fmt.Errorf("scaffold template %s: %w", p, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, o); err != nil {
			return fmt.Errorf("scaffold template %s: %w", p, err)
		}
		rel := strings.TrimPrefix(p, "template/")
		// Stored without the dot, so it does not act on this repository.
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		out[rel] = b.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Paths lists the files Files writes, sorted.
func Paths(m map[string][]byte) []string {
	ps := make([]string, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}
