package lang

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// Block type names, as written in files. Referenceable blocks are addressed
// as <type>.<name> in expressions.
const (
	BlockProject    = "project"
	BlockVariable   = "variable"
	BlockLocals     = "locals"
	BlockParameter  = "parameter"
	BlockStorage    = "storage"
	BlockDataset    = "dataset"
	BlockPrepare    = "prepare"
	BlockFineTune   = "finetune"
	BlockEvaluate   = "evaluate"
	BlockGate       = "gate"
	BlockRegister   = "register"
	BlockEdgeTarget = "edge_target"
	BlockMonitoring = "monitoring"
)

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: BlockProject, LabelNames: []string{"name"}},
		{Type: BlockVariable, LabelNames: []string{"name"}},
		{Type: BlockLocals},
		{Type: BlockParameter, LabelNames: []string{"name"}},
		{Type: BlockStorage, LabelNames: []string{"name"}},
		{Type: BlockDataset, LabelNames: []string{"name"}},
		{Type: BlockPrepare, LabelNames: []string{"name"}},
		{Type: BlockFineTune, LabelNames: []string{"name"}},
		{Type: BlockEvaluate, LabelNames: []string{"name"}},
		{Type: BlockGate, LabelNames: []string{"name"}},
		{Type: BlockRegister, LabelNames: []string{"name"}},
		{Type: BlockEdgeTarget, LabelNames: []string{"name"}},
		{Type: BlockMonitoring},
	},
}

// decodeFile adds the declarations of one file body to the configuration.
func (c *Config) decodeFile(body hcl.Body) hcl.Diagnostics {
	content, diags := body.Content(fileSchema)
	for _, block := range content.Blocks {
		if len(block.Labels) == 1 && !validName(block.Labels[0]) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s name", block.Type),
				Detail: fmt.Sprintf("%q is not a valid name: a name starts with an ASCII letter and holds only ASCII letters, digits, underscores and dashes (it becomes part of SageMaker and AWS names), for example %q.",
					block.Labels[0], "intent_v2"),
				Subject: block.LabelRanges[0].Ptr(),
			})
			continue
		}
		diags = append(diags, c.decodeBlock(block)...)
	}
	return diags
}

func (c *Config) decodeBlock(block *hcl.Block) hcl.Diagnostics {
	name := ""
	if len(block.Labels) > 0 {
		name = block.Labels[0]
	}
	rng := block.DefRange
	forEach, body, diags := splitForEach(block)
	if forEach != nil {
		c.ForEach[block.Type+"."+name] = forEach
	}
	return append(diags, c.decodeBlockBody(block, body, name, rng)...)
}

func (c *Config) decodeBlockBody(block *hcl.Block, body hcl.Body, name string, rng hcl.Range) hcl.Diagnostics {
	switch block.Type {
	case BlockProject:
		if c.Project != nil {
			return duplicate(block, c.Project.DeclRange)
		}
		c.Project = &Project{Name: name, DeclRange: rng}
		return decodeBody(block.Body, &c.Project.Body)
	case BlockMonitoring:
		if c.Monitoring != nil {
			return duplicate(block, c.Monitoring.DeclRange)
		}
		c.Monitoring = &Monitoring{DeclRange: rng}
		dyn, rest, diags := block.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}})
		for _, db := range dyn.Blocks {
			d, ddiags := decodeDynamic(db, "alarm")
			diags = append(diags, ddiags...)
			if d != nil {
				c.Monitoring.Body.Dynamic = append(c.Monitoring.Body.Dynamic, d)
			}
		}
		return append(diags, decodeBody(rest, &c.Monitoring.Body)...)
	case BlockLocals:
		return c.decodeLocals(block)
	case BlockVariable:
		v, diags := decodeVariable(block)
		return append(diags, add(c.Variables, block, v, nil, nil)...)
	case BlockGate:
		g, diags := decodeGate(block, body)
		return append(diags, add(c.Gates, block, g, nil, nil)...)
	case BlockParameter:
		p := &Parameter{Name: name, DeclRange: rng}
		return add(c.Parameters, block, p, body, &p.Body)
	case BlockStorage:
		s := &Storage{Name: name, DeclRange: rng}
		return add(c.Storage, block, s, body, &s.Body)
	case BlockDataset:
		d := &Dataset{Name: name, DeclRange: rng}
		return add(c.Datasets, block, d, body, &d.Body)
	case BlockPrepare:
		p := &Prepare{Name: name, DeclRange: rng}
		return add(c.Prepares, block, p, body, &p.Body)
	case BlockFineTune:
		f := &FineTune{Name: name, DeclRange: rng}
		return add(c.FineTunes, block, f, body, &f.Body)
	case BlockEvaluate:
		e := &Evaluate{Name: name, DeclRange: rng}
		return add(c.Evaluations, block, e, body, &e.Body)
	case BlockRegister:
		r := &Register{Name: name, DeclRange: rng}
		return add(c.Registers, block, r, body, &r.Body)
	case BlockEdgeTarget:
		e := &EdgeTarget{Name: name, DeclRange: rng}
		return add(c.EdgeTargets, block, e, body, &e.Body)
	}
	return nil
}

// declaration is a named block that remembers where it was declared.
type declaration interface{ declRange() hcl.Range }

func (v *Variable) declRange() hcl.Range   { return v.DeclRange }
func (p *Parameter) declRange() hcl.Range  { return p.DeclRange }
func (s *Storage) declRange() hcl.Range    { return s.DeclRange }
func (d *Dataset) declRange() hcl.Range    { return d.DeclRange }
func (p *Prepare) declRange() hcl.Range    { return p.DeclRange }
func (f *FineTune) declRange() hcl.Range   { return f.DeclRange }
func (e *Evaluate) declRange() hcl.Range   { return e.DeclRange }
func (g *Gate) declRange() hcl.Range       { return g.DeclRange }
func (r *Register) declRange() hcl.Range   { return r.DeclRange }
func (e *EdgeTarget) declRange() hcl.Range { return e.DeclRange }

// add records a named block, refusing a second declaration of the name, and
// decodes the block's body into body when given (gohcl, for the blocks whose
// schema is a struct).
func add[T declaration](m map[string]T, block *hcl.Block, v T, body hcl.Body, target any) hcl.Diagnostics {
	name := block.Labels[0]
	if prev, ok := m[name]; ok {
		return duplicate(block, prev.declRange())
	}
	m[name] = v
	if target == nil {
		return nil
	}
	return decodeBody(body, target)
}

// decodeBody decodes a block body into its struct, keeping expressions, and
// checks that required attributes and blocks are present.
func decodeBody(body hcl.Body, target any) hcl.Diagnostics {
	diags := gohcl.DecodeBody(body, nil, target)
	return append(diags, checkRequired(body, target)...)
}

func (c *Config) decodeLocals(block *hcl.Block) hcl.Diagnostics {
	attrs, diags := block.Body.JustAttributes()
	for _, a := range attrs {
		if prev, ok := c.Locals[a.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value",
				Detail:   fmt.Sprintf("The local value %q was already defined at %s. Each local value needs a unique name.", a.Name, Pos(prev.DeclRange)),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		c.Locals[a.Name] = &Local{Name: a.Name, Expr: a.Expr, DeclRange: a.Range}
	}
	return diags
}

func duplicate(block *hcl.Block, prev hcl.Range) hcl.Diagnostics {
	what := block.Type
	if len(block.Labels) > 0 {
		what = fmt.Sprintf("%s %q", block.Type, block.Labels[0])
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s block", block.Type),
		Detail:   fmt.Sprintf("The %s was already declared at %s. Rename one of them or merge them into one block.", what, Pos(prev)),
		Subject:  block.DefRange.Ptr(),
	}}
}

var gateSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "evaluation", Required: true},
		{Name: "message"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "threshold", LabelNames: []string{"metric"}}, {Type: "dynamic", LabelNames: []string{"type"}}},
}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

var thresholdSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "min"}, {Name: "max"}, {Name: "vs_approved"}},
}

// decodeGate decodes a gate by hand (not with gohcl) to keep the range of
// each threshold's label, which diagnostics about unknown metrics point at.
func decodeGate(block *hcl.Block, body hcl.Body) (*Gate, hcl.Diagnostics) {
	g := &Gate{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := body.Content(gateSchema)
	if a, ok := content.Attributes["evaluation"]; ok {
		g.Body.Evaluation = a.Expr
	}
	g.Body.Message = attrOrNull(content.Attributes, "message", block.Body.MissingItemRange())
	for _, tb := range content.Blocks {
		if tb.Type == "dynamic" {
			d, ddiags := decodeDynamic(tb, "threshold")
			diags = append(diags, ddiags...)
			if d != nil {
				g.Body.Dynamic = append(g.Body.Dynamic, d)
			}
			continue
		}
		tc, tdiags := tb.Body.Content(thresholdSchema)
		diags = append(diags, tdiags...)
		t := &Threshold{Metric: tb.Labels[0], DeclRange: tb.LabelRanges[0]}
		t.Min = attrOrNull(tc.Attributes, "min", tb.Body.MissingItemRange())
		t.Max = attrOrNull(tc.Attributes, "max", tb.Body.MissingItemRange())
		t.VsApproved = attrOrNull(tc.Attributes, "vs_approved", tb.Body.MissingItemRange())
		g.Body.Thresholds = append(g.Body.Thresholds, t)
	}
	return g, diags
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

func decodeVariable(block *hcl.Block) (*Variable, hcl.Diagnostics) {
	v := &Variable{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(variableSchema)
	missing := block.Body.MissingItemRange()
	v.Type = attrOrNull(content.Attributes, "type", missing)
	v.Default = attrOrNull(content.Attributes, "default", missing)
	_, v.HasDefault = content.Attributes["default"]
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &v.Description)...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &v.Sensitive)...)
	}
	for _, vb := range content.Blocks {
		vc, vdiags := vb.Body.Content(validationSchema)
		diags = append(diags, vdiags...)
		if vdiags.HasErrors() {
			continue
		}
		// A rule sees only its own variable, so validate can check it
		// without values and plan never meets an unknown reference.
		for _, t := range vc.Attributes["condition"].Expr.Variables() {
			if ok := t.RootName() == RootVar && len(t) > 1 && traverseName(t[1]) == v.Name; !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference in validation",
					Detail:   fmt.Sprintf("A validation condition may refer only to the variable it validates, var.%s.", v.Name),
					Subject:  t.SourceRange().Ptr(),
				})
			}
		}
		v.Validations = append(v.Validations, &VariableValidation{
			Condition:    vc.Attributes["condition"].Expr,
			ErrorMessage: vc.Attributes["error_message"].Expr,
			DeclRange:    vb.DefRange,
		})
	}
	return v, diags
}

// attrOrNull returns the attribute's expression, or an expression that
// evaluates to null when the attribute is absent, like gohcl does.
func attrOrNull(attrs hcl.Attributes, name string, missing hcl.Range) hcl.Expression {
	if a, ok := attrs[name]; ok {
		return a.Expr
	}
	return hcl.StaticExpr(nullValue, missing)
}

// validName says whether a block label can name a block: an HCL identifier
// in ASCII, since labels become SageMaker step and parameter names.
func validName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func traverseName(t hcl.Traverser) string {
	if a, ok := t.(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// Pos writes where a range starts as file:line:col, the form diagnostics use.
func Pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// decodeDynamic reads a dynamic block generating blocks of type want.
func decodeDynamic(block *hcl.Block, want string) (*DynamicBlock, hcl.Diagnostics) {
	if block.Labels[0] != want {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unsupported dynamic block",
			Detail:   fmt.Sprintf("A dynamic block here generates %q blocks; %q is not one.", want, block.Labels[0]),
			Subject:  block.LabelRanges[0].Ptr(),
		}}
	}
	content, diags := block.Body.Content(dynamicSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	d := &DynamicBlock{Type: want, Iterator: want, Range: block.DefRange}
	d.ForEach = content.Attributes["for_each"].Expr
	d.Labels = attrOrNull(content.Attributes, "labels", block.Body.MissingItemRange())
	if a, ok := content.Attributes["iterator"]; ok {
		d.Iterator = hcl.ExprAsKeyword(a.Expr)
		if d.Iterator == "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid iterator", Detail: "iterator is a name written without quotes, such as iterator = metric.", Subject: a.Expr.Range().Ptr()})
		}
	}
	if len(content.Blocks) != 1 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing content block", Detail: "A dynamic block needs exactly one content { ... } block: the body of each generated block.", Subject: block.DefRange.Ptr()})
		return nil, diags
	}
	d.Content = content.Blocks[0].Body
	return d, diags
}
