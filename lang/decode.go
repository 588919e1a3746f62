package lang

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
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
		if len(block.Labels) == 1 && !hclsyntax.ValidIdentifier(block.Labels[0]) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s name", block.Type),
				Detail: fmt.Sprintf("%q is not a valid name: a name starts with a letter and holds only letters, digits, underscores and dashes, for example %q.",
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
	var diags hcl.Diagnostics
	name := ""
	if len(block.Labels) > 0 {
		name = block.Labels[0]
	}
	rng := block.DefRange
	switch block.Type {
	case BlockProject:
		if c.Project != nil {
			return duplicate(block, c.Project.DeclRange)
		}
		p := &Project{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &p.Body)
		c.Project = p
	case BlockVariable:
		if prev, ok := c.Variables[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		v, vdiags := decodeVariable(block)
		diags = vdiags
		c.Variables[name] = v
	case BlockLocals:
		attrs, adiags := block.Body.JustAttributes()
		diags = adiags
		for _, a := range attrs {
			if prev, ok := c.Locals[a.Name]; ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate local value",
					Detail:   fmt.Sprintf("The local value %q was already defined at %s. Each local value needs a unique name.", a.Name, prev.DeclRange),
					Subject:  a.NameRange.Ptr(),
				})
				continue
			}
			c.Locals[a.Name] = &Local{Name: a.Name, Expr: a.Expr, DeclRange: a.Range}
		}
	case BlockParameter:
		if prev, ok := c.Parameters[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		p := &Parameter{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &p.Body)
		c.Parameters[name] = p
	case BlockStorage:
		if prev, ok := c.Storage[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		s := &Storage{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &s.Body)
		c.Storage[name] = s
	case BlockDataset:
		if prev, ok := c.Datasets[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		d := &Dataset{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &d.Body)
		c.Datasets[name] = d
	case BlockPrepare:
		if prev, ok := c.Prepares[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		p := &Prepare{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &p.Body)
		c.Prepares[name] = p
	case BlockFineTune:
		if prev, ok := c.FineTunes[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		f := &FineTune{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &f.Body)
		c.FineTunes[name] = f
	case BlockEvaluate:
		if prev, ok := c.Evaluations[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		e := &Evaluate{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &e.Body)
		c.Evaluations[name] = e
	case BlockGate:
		if prev, ok := c.Gates[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		g, gdiags := decodeGate(block)
		diags = gdiags
		c.Gates[name] = g
	case BlockRegister:
		if prev, ok := c.Registers[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		r := &Register{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &r.Body)
		c.Registers[name] = r
	case BlockEdgeTarget:
		if prev, ok := c.EdgeTargets[name]; ok {
			return duplicate(block, prev.DeclRange)
		}
		e := &EdgeTarget{Name: name, DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &e.Body)
		c.EdgeTargets[name] = e
	case BlockMonitoring:
		if c.Monitoring != nil {
			return duplicate(block, c.Monitoring.DeclRange)
		}
		m := &Monitoring{DeclRange: rng}
		diags = gohcl.DecodeBody(block.Body, nil, &m.Body)
		c.Monitoring = m
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
		Detail:   fmt.Sprintf("The %s was already declared at %s. Rename one of them or merge them into one block.", what, prev),
		Subject:  block.DefRange.Ptr(),
	}}
}

var gateSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "evaluation", Required: true},
		{Name: "message"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "threshold", LabelNames: []string{"metric"}}},
}

var thresholdSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "min"}, {Name: "max"}},
}

// decodeGate decodes a gate by hand (not with gohcl) to keep the range of
// each threshold's label, which diagnostics about unknown metrics point at.
func decodeGate(block *hcl.Block) (*Gate, hcl.Diagnostics) {
	g := &Gate{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(gateSchema)
	if a, ok := content.Attributes["evaluation"]; ok {
		g.Body.Evaluation = a.Expr
	}
	g.Body.Message = attrOrNull(content.Attributes, "message", block.Body.MissingItemRange())
	for _, tb := range content.Blocks {
		tc, tdiags := tb.Body.Content(thresholdSchema)
		diags = append(diags, tdiags...)
		t := &Threshold{Metric: tb.Labels[0], DeclRange: tb.LabelRanges[0]}
		t.Min = attrOrNull(tc.Attributes, "min", tb.Body.MissingItemRange())
		t.Max = attrOrNull(tc.Attributes, "max", tb.Body.MissingItemRange())
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
