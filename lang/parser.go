package lang

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// FileSuffix is the suffix of configuration files; a directory is one
// configuration made of every such file in it.
const FileSuffix = ".slm.hcl"

// VarFileSuffix is the suffix of variable files; files in the configuration
// directory ending in AutoVarFileSuffix are loaded automatically.
const (
	VarFileSuffix     = ".slmvars.hcl"
	AutoVarFileSuffix = ".auto.slmvars.hcl"
)

// Parser reads configuration through a file system and keeps every source it
// read, so diagnostics can quote the lines they point at.
type Parser struct {
	fsys fs.FS
	p    *hclparse.Parser
}

// NewParser returns a parser reading from fsys (os.DirFS for real files,
// fstest.MapFS in tests).
func NewParser(fsys fs.FS) *Parser {
	return &Parser{fsys: fsys, p: hclparse.NewParser()}
}

// Files returns the sources read so far, by file name, for diagnostics.
func (p *Parser) Files() map[string]*hcl.File { return p.p.Files() }

// ParseFile reads and parses one HCL native-syntax file.
func (p *Parser) ParseFile(ctx context.Context, name string) (*hcl.File, hcl.Diagnostics) {
	if err := ctx.Err(); err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cancelled", Detail: err.Error()}}
	}
	src, err := fs.ReadFile(p.fsys, name)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read file",
			Detail:   fmt.Sprintf("The file %q could not be read: %s.", name, err),
		}}
	}
	return p.p.ParseHCL(src, name)
}

// ConfigFiles lists the configuration files of dir, sorted, so the result
// does not depend on the order the file system returns them in.
func (p *Parser) ConfigFiles(dir string) ([]string, hcl.Diagnostics) {
	entries, err := fs.ReadDir(p.fsys, dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read configuration directory",
			Detail:   fmt.Sprintf("The directory %q could not be read: %s.", dir, err),
		}}
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), FileSuffix) {
			continue
		}
		files = append(files, path.Join(dir, e.Name()))
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail: fmt.Sprintf("The directory %q has no %s files. Run slm in the directory that holds pipeline.slm.hcl, or pass that directory as an argument.",
				dir, FileSuffix),
		}}
	}
	return files, nil
}

// AutoVarFiles lists the variable files of dir that load without being named.
func (p *Parser) AutoVarFiles(dir string) []string {
	entries, err := fs.ReadDir(p.fsys, dir)
	if err != nil {
		return nil
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), AutoVarFileSuffix) {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files
}

// LoadConfigDir parses every configuration file of dir and decodes them into
// one Config. Files are read in sorted order; declarations may be spread over
// files freely, but each name may be declared once.
func (p *Parser) LoadConfigDir(ctx context.Context, dir string) (*Config, hcl.Diagnostics) {
	files, diags := p.ConfigFiles(dir)
	if diags.HasErrors() {
		return nil, diags
	}
	cfg := newConfig(dir, files)
	for _, name := range files {
		f, fdiags := p.ParseFile(ctx, name)
		diags = append(diags, fdiags...)
		if f == nil || fdiags.HasErrors() {
			continue
		}
		diags = append(diags, cfg.decodeFile(f.Body)...)
	}
	if !diags.HasErrors() && cfg.Project == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing project block",
			Detail:   `Every configuration needs one project block, for example: project "intent" { region = "eu-west-1" }.`,
			Subject:  &hcl.Range{Filename: files[0], Start: hcl.InitialPos, End: hcl.InitialPos},
		})
	}
	return cfg, diags
}

func newConfig(dir string, files []string) *Config {
	return &Config{
		Dir:         dir,
		Files:       files,
		Variables:   map[string]*Variable{},
		Locals:      map[string]*Local{},
		Parameters:  map[string]*Parameter{},
		Storage:     map[string]*Storage{},
		Datasets:    map[string]*Dataset{},
		Prepares:    map[string]*Prepare{},
		FineTunes:   map[string]*FineTune{},
		Evaluations: map[string]*Evaluate{},
		Gates:       map[string]*Gate{},
		Registers:   map[string]*Register{},
		EdgeTargets: map[string]*EdgeTarget{},
		ForEach:     map[string]hcl.Expression{},
	}
}
