package compiler

import (
	"context"
	"io/fs"
	"path"

	"github.com/hashicorp/hcl/v2"

	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// Request says what to compile.
type Request struct {
	FS  fs.FS  // the file system paths are relative to
	Dir string // the configuration directory within FS
	// Vars are the values given outside the configuration; ignored when
	// Validate is set.
	Vars lang.VarInputs
	// Validate compiles with every variable unknown, as `slm validate`
	// does: all checks that need no values run. The IR is then incomplete
	// and must only be used for its shape.
	Validate bool
}

// Result is a compilation's outcome. Files holds every source read, so
// diagnostics can be rendered with snippets.
type Result struct {
	Pipeline *ir.Pipeline // nil on errors
	Files    map[string]*hcl.File
	Diags    hcl.Diagnostics
}

// Load runs the front half of slm: parse, decode, resolve variables,
// evaluate and compile to IR.
func Load(ctx context.Context, req Request) Result {
	p := lang.NewParser(req.FS)
	res := Result{}
	cfg, diags := p.LoadConfigDir(ctx, req.Dir)
	res.Diags = diags
	defer func() { res.Files = p.Files() }()
	if diags.HasErrors() {
		res.Files = p.Files()
		return res
	}
	var vals map[string]*lang.VariableValue
	var vdiags hcl.Diagnostics
	if req.Validate {
		vals, vdiags = lang.UnknownVariables(cfg)
	} else {
		vals, vdiags = p.ResolveVariables(ctx, cfg, req.Vars)
	}
	res.Diags = append(res.Diags, vdiags...)
	if vdiags.HasErrors() {
		res.Files = p.Files()
		return res
	}
	scope, sdiags := lang.NewScope(cfg, vals)
	res.Diags = append(res.Diags, sdiags...)
	if sdiags.HasErrors() {
		res.Files = p.Files()
		return res
	}
	// for_each blocks become their instances, dynamic blocks their blocks.
	xdiags := cfg.ExpandRepetition(scope)
	res.Diags = append(res.Diags, xdiags...)
	if xdiags.HasErrors() {
		res.Files = p.Files()
		return res
	}
	var sources []Source
	for _, name := range cfg.Files {
		if f := p.Files()[name]; f != nil {
			// Base names: the digest must not depend on how the
			// directory was typed (".", "ex", "/abs/ex").
			sources = append(sources, Source{Name: path.Base(name), Bytes: f.Bytes})
		}
	}
	pl, cdiags := Compile(scope, sources, Options{Validate: req.Validate})
	res.Diags = append(res.Diags, cdiags...)
	res.Files = p.Files()
	// In validate mode the pipeline holds zero values where variables are
	// unknown: fine for its shape (slm graph), never for a backend.
	if !res.Diags.HasErrors() {
		res.Pipeline = pl
	}
	return res
}
