package lang

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// RuntimeMark marks a value that only SageMaker knows, when the pipeline
// runs: a pipeline parameter. Compile-time attributes refuse marked values;
// attributes that accept run-time values compile them to a Get.
type RuntimeMark struct{ Param string }

// SensitiveMark marks values of variables declared sensitive, so the values
// are never printed: diagnostics say "(sensitive)" instead.
type SensitiveMark struct{}

// Reference roots usable in expressions.
const (
	RootVar     = "var"
	RootLocal   = "local"
	RootParam   = "param"
	RootStorage = "storage"
)

// linkRoots are block types that can be referenced only by linking
// attributes (dataset = dataset.intents), never inside other expressions.
var linkRoots = map[string]bool{
	BlockDataset: true, BlockPrepare: true, BlockFineTune: true, BlockEvaluate: true,
	BlockGate: true, BlockRegister: true, BlockEdgeTarget: true,
}

// Scope evaluates expressions of one configuration with one set of variable
// values. It is built once; evaluating is read-only, so a Scope may be shared.
type Scope struct {
	cfg       *Config
	vars      map[string]*VariableValue
	locals    map[string]cty.Value
	storage   map[string]cty.Value
	params    map[string]cty.Value
	functions map[string]function.Function
	// ctx is built once locals and storage are known: every later
	// evaluation reads it, none changes it.
	ctx *hcl.EvalContext
}

// NewScope evaluates locals and storage addresses (in dependency order, so
// they may refer to each other in any order across files) and returns the
// scope that later stages evaluate expressions in.
func NewScope(cfg *Config, vars map[string]*VariableValue) (*Scope, hcl.Diagnostics) {
	s := &Scope{
		cfg:       cfg,
		vars:      vars,
		locals:    map[string]cty.Value{},
		storage:   map[string]cty.Value{},
		params:    map[string]cty.Value{},
		functions: Functions(cfg.Dir),
	}
	diags := s.declareParams()
	diags = append(diags, s.evalNamedValues()...)
	s.ctx = s.evalContext()
	return s, diags
}

// Config returns the configuration the scope evaluates.
func (s *Scope) Config() *Config { return s.cfg }

// Variables returns the variable values with their provenance.
func (s *Scope) Variables() map[string]*VariableValue { return s.vars }

// ParamType reads a parameter block's type keyword.
func ParamType(p *Parameter) (cty.Type, string, hcl.Diagnostics) {
	kw := hcl.ExprAsKeyword(p.Body.Type)
	switch kw {
	case "string":
		return cty.String, "String", nil
	case "integer":
		return cty.Number, "Integer", nil
	case "float":
		return cty.Number, "Float", nil
	case "boolean":
		return cty.Bool, "Boolean", nil
	}
	return cty.DynamicPseudoType, "", hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid parameter type",
		Detail:   "A parameter's type is one of the keywords string, integer, float or boolean (the types SageMaker pipeline parameters have), written without quotes: type = string.",
		Subject:  p.Body.Type.Range().Ptr(),
	}}
}

func (s *Scope) declareParams() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(s.cfg.Parameters) {
		p := s.cfg.Parameters[name]
		ty, _, tdiags := ParamType(p)
		diags = append(diags, tdiags...)
		s.params[name] = cty.UnknownVal(ty).Mark(RuntimeMark{Param: name})
	}
	return diags
}

type namedValue struct {
	addr string // "local.x" or "storage.y"
	rng  hcl.Range
	deps []string
	eval func(ctx *hcl.EvalContext) hcl.Diagnostics
}

func (s *Scope) evalNamedValues() hcl.Diagnostics {
	nodes := map[string]*namedValue{}
	for _, name := range sortedKeys(s.cfg.Locals) {
		l := s.cfg.Locals[name]
		nodes[RootLocal+"."+name] = &namedValue{
			addr: RootLocal + "." + name, rng: l.DeclRange, deps: namedDeps(l.Expr),
			eval: func(ctx *hcl.EvalContext) hcl.Diagnostics {
				v, diags := s.evalIn(ctx, l.Expr, cty.DynamicPseudoType)
				if diags.HasErrors() {
					v = cty.DynamicVal
				}
				s.locals[l.Name] = v
				return diags
			},
		}
	}
	for _, name := range sortedKeys(s.cfg.Storage) {
		st := s.cfg.Storage[name]
		deps := append(namedDeps(st.Body.Bucket), namedDeps(st.Body.Prefix)...)
		nodes[RootStorage+"."+name] = &namedValue{
			addr: RootStorage + "." + name, rng: st.DeclRange, deps: deps,
			eval: func(ctx *hcl.EvalContext) hcl.Diagnostics {
				v, diags := s.storageValue(st, ctx)
				s.storage[st.Name] = v
				return diags
			},
		}
	}
	var diags hcl.Diagnostics
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	// failed holds values in or behind a cycle: they get no value and no
	// further diagnostics, since the cycle is the one thing to fix.
	failed := map[string]bool{}
	poison := func(addr string) {
		failed[addr] = true
		name := strings.SplitN(addr, ".", 2)[1]
		if strings.HasPrefix(addr, RootLocal+".") {
			s.locals[name] = cty.DynamicVal
		} else {
			s.storage[name] = cty.DynamicVal
		}
	}
	var visit func(addr string, path []string)
	visit = func(addr string, path []string) {
		n := nodes[addr]
		if n == nil || state[addr] == 2 {
			return
		}
		if state[addr] == 1 {
			cycle := append(path[indexOf(path, addr):], addr)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cycle in named values",
				Detail:   fmt.Sprintf("These values refer to each other in a circle: %s. Break the circle by computing one of them from variables only.", strings.Join(cycle, " -> ")),
				Subject:  n.rng.Ptr(),
			})
			for _, c := range cycle {
				poison(c)
			}
			return
		}
		state[addr] = 1
		bad := false
		for _, d := range n.deps {
			visit(d, append(path, addr))
			bad = bad || failed[d]
		}
		if bad || failed[addr] {
			poison(addr)
		} else {
			diags = append(diags, n.eval(s.evalContext())...)
		}
		state[addr] = 2
	}
	addrs := make([]string, 0, len(nodes))
	for a := range nodes {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		visit(a, nil)
	}
	return diags
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return 0
}

func namedDeps(expr hcl.Expression) []string {
	var deps []string
	for _, t := range expr.Variables() {
		root := t.RootName()
		if (root == RootLocal || root == RootStorage) && len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				deps = append(deps, root+"."+a.Name)
			}
		}
	}
	return deps
}

// storageValue computes the object that storage.NAME stands for in
// expressions: bucket, prefix, uri (s3://bucket/prefix) and arn.
func (s *Scope) storageValue(st *Storage, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	bucket, diags := s.evalIn(ctx, st.Body.Bucket, cty.String)
	prefix, pdiags := s.evalIn(ctx, st.Body.Prefix, cty.String)
	diags = append(diags, pdiags...)
	for _, v := range []struct {
		val  cty.Value
		expr hcl.Expression
	}{{bucket, st.Body.Bucket}, {prefix, st.Body.Prefix}} {
		if ps := RuntimeParams(v.val); len(ps) > 0 {
			diags = append(diags, RuntimeNotAllowed(v.expr, "a storage bucket or prefix", ps))
		}
	}
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	if bucket.IsNull() {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Null bucket",
			Detail:   fmt.Sprintf("storage %q needs a bucket name; the expression gives null.", st.Name),
			Subject:  st.Body.Bucket.Range().Ptr(),
		}}
	}
	if prefix.IsNull() {
		prefix = cty.StringVal("")
	}
	// Sensitive marks carry through to storage.NAME; the strings are read here.
	bucket, bmarks := bucket.Unmark()
	prefix, pmarks := prefix.Unmark()
	if !bucket.IsKnown() || !prefix.IsKnown() {
		return cty.ObjectVal(map[string]cty.Value{
			"bucket": bucket.WithMarks(bmarks), "prefix": prefix.WithMarks(pmarks),
			"uri": cty.UnknownVal(cty.String).WithMarks(bmarks, pmarks), "arn": cty.UnknownVal(cty.String).WithMarks(bmarks),
		}), nil
	}
	b, p := bucket.AsString(), prefix.AsString()
	return cty.ObjectVal(map[string]cty.Value{
		"bucket": bucket.WithMarks(bmarks),
		"prefix": prefix.WithMarks(pmarks),
		"uri":    cty.StringVal(S3URI(b, p)).WithMarks(bmarks, pmarks),
		"arn":    cty.StringVal("arn:aws:s3:::" + b).WithMarks(bmarks),
	}), nil
}

// S3URI joins a bucket and a key prefix into an s3:// URI.
func S3URI(bucket, prefix string) string {
	return "s3://" + bucket + "/" + strings.TrimPrefix(prefix, "/")
}

func (s *Scope) evalContext() *hcl.EvalContext {
	vars := map[string]cty.Value{}
	for name, v := range s.vars {
		vars[name] = v.Value
		if v.Sensitive {
			vars[name] = v.Value.Mark(SensitiveMark{})
		}
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			RootVar:     cty.ObjectVal(vars),
			RootLocal:   cty.ObjectVal(s.locals),
			RootStorage: cty.ObjectVal(s.storage),
			RootParam:   cty.ObjectVal(s.params),
		},
		Functions: s.functions,
	}
}

// Eval evaluates expr and converts the result to want (cty.DynamicPseudoType
// to keep any type). The result may be unknown (validate mode) or carry a
// RuntimeMark; callers decide what those mean for their attribute.
func (s *Scope) Eval(expr hcl.Expression, want cty.Type) (cty.Value, hcl.Diagnostics) {
	return s.evalIn(s.ctx, expr, want)
}

func (s *Scope) evalIn(ctx *hcl.EvalContext, expr hcl.Expression, want cty.Type) (cty.Value, hcl.Diagnostics) {
	if diags := s.checkReferences(expr); diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	val, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	if want == cty.DynamicPseudoType || val.IsNull() {
		return val, diags
	}
	cv, err := convert.Convert(val, want)
	if err != nil {
		return cty.DynamicVal, append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("This value must be a %s: %s.", want.FriendlyName(), err),
			Subject:     expr.Range().Ptr(),
			Expression:  expr,
			EvalContext: ctx,
		})
	}
	return cv, diags
}

// checkReferences gives clearer messages than HCL's "Unknown variable" for
// references to undeclared names and to blocks used as values.
func (s *Scope) checkReferences(expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, t := range expr.Variables() {
		root := t.RootName()
		rng := t.SourceRange().Ptr()
		name := ""
		if len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				name = a.Name
			}
		}
		var declared bool
		var kinds map[string]bool
		switch root {
		case RootVar:
			_, declared = s.cfg.Variables[name]
			kinds = keysOf(s.cfg.Variables)
		case RootLocal:
			_, declared = s.cfg.Locals[name]
			kinds = keysOf(s.cfg.Locals)
		case RootParam:
			_, declared = s.cfg.Parameters[name]
			kinds = keysOf(s.cfg.Parameters)
		case RootStorage:
			_, declared = s.cfg.Storage[name]
			kinds = keysOf(s.cfg.Storage)
		default:
			if linkRoots[root] {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Block reference used as a value",
					Detail: fmt.Sprintf("%s.%s names a %s block; such references are only allowed on their own in attributes that link blocks (for example data = prepare.intents), not inside other expressions.",
						root, name, root),
					Subject: rng,
				})
				continue
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown reference",
				Detail:   fmt.Sprintf("%q is not something an expression can refer to. Expressions refer to var.NAME, local.NAME, param.NAME and storage.NAME.", root),
				Subject:  rng,
			})
			continue
		}
		if name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference",
				Detail:   fmt.Sprintf("A reference to %s needs a name after it, as in %s.NAME.", root, root),
				Subject:  rng,
			})
			continue
		}
		if !declared {
			what := map[string]string{RootVar: "input variable", RootLocal: "local value", RootParam: "pipeline parameter", RootStorage: "storage location"}[root]
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reference to undeclared " + what,
				Detail:   fmt.Sprintf("There is no %s named %q.%s", what, name, suggest(kinds, name)),
				Subject:  rng,
			})
		}
	}
	return diags
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// suggest returns " Did you mean "x"?" for the closest name, if close enough.
func suggest(names map[string]bool, name string) string {
	list := make([]string, 0, len(names))
	for n := range names {
		list = append(list, n)
	}
	return DidYouMean(list, name)
}

// RuntimeParams lists the parameters whose run-time values flow into v.
func RuntimeParams(v cty.Value) []string {
	_, pvms := v.UnmarkDeepWithPaths()
	seen := map[string]bool{}
	for _, pvm := range pvms {
		for m := range pvm.Marks {
			if rm, ok := m.(RuntimeMark); ok {
				seen[rm.Param] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// IsSensitive says whether a sensitive variable's value flows into v.
func IsSensitive(v cty.Value) bool {
	_, pvms := v.UnmarkDeepWithPaths()
	for _, pvm := range pvms {
		if _, ok := pvm.Marks[SensitiveMark{}]; ok {
			return true
		}
	}
	return false
}

// SensitiveInArtifact explains why a sensitive value cannot be compiled:
// every compiled attribute lands in a generated file (the pipeline
// definition, the Terraform, the Greengrass requests, plan.json), and those
// are reviewed, committed and uploaded in clear.
func SensitiveInArtifact(expr hcl.Expression, what string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Sensitive value in a generated file",
		Detail: fmt.Sprintf("%s comes from a variable declared sensitive, but every compiled attribute is written in clear into the generated artifacts (the SageMaker definition, the Terraform, the Greengrass requests and plan.json), which are reviewed, committed and uploaded. Keep secrets out of the configuration (steps and devices read them at run time, for example from Secrets Manager), or drop sensitive = true if the value is not a secret.",
			what),
		Subject: expr.Range().Ptr(),
	}
}

// RuntimeNotAllowed explains why a run-time parameter cannot be used where a
// compile-time value is needed: the SageMaker SDK's most reported confusion.
func RuntimeNotAllowed(expr hcl.Expression, what string, params []string) *hcl.Diagnostic {
	ref := "a pipeline parameter"
	if len(params) > 0 {
		ref = "param." + params[0]
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Run-time parameter used where a compile-time value is needed",
		Detail: fmt.Sprintf("%s is resolved by SageMaker when the pipeline runs, but %s must be known when slm compiles the pipeline. Use an input variable (var.NAME, set per environment with --var-file) instead, or move the value to an attribute that accepts pipeline parameters (see SPEC.md, \"Run-time values\").",
			ref, what),
		Subject:    expr.Range().Ptr(),
		Expression: expr,
	}
}
