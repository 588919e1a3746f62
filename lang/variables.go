package lang

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvPrefix is the prefix of environment variables that set input variables:
// SLM_VAR_instance_type=ml.g5.xlarge sets var.instance_type.
const EnvPrefix = "SLM_VAR_"

// StrictEnv, set to 1 or true, turns on strict mode (VarInputs.Strict).
const StrictEnv = "SLM_STRICT"

// SourceKind says where a variable's value came from. The kinds are listed in
// increasing precedence: a later kind overrides an earlier one.
type SourceKind int

// The sources of variable values, lowest precedence first.
const (
	SourceDefault SourceKind = iota
	SourceEnv
	SourceAutoFile
	SourceVarFile
	SourceCLI
	SourceUnknown // validate: a stand-in of the declared type
)

func (k SourceKind) String() string {
	switch k {
	case SourceDefault:
		return "default"
	case SourceEnv:
		return "environment"
	case SourceAutoFile:
		return "auto file"
	case SourceVarFile:
		return "var file"
	case SourceCLI:
		return "command line"
	default:
		return "unknown"
	}
}

// ValueSource is one assignment of a value to a variable.
type ValueSource struct {
	Kind SourceKind
	// Where names the file (with line), environment variable or flag.
	Where string
	// Range is where the value is written, for values from files.
	Range *hcl.Range
}

func (s ValueSource) String() string {
	if s.Where == "" {
		return s.Kind.String()
	}
	return s.Kind.String() + " " + s.Where
}

// VariableValue is a variable's final value with the history of every
// assignment that reached it, in the order they were applied.
type VariableValue struct {
	Name      string
	Value     cty.Value
	Sensitive bool
	Source    ValueSource
	Overrode  []ValueSource
}

// VarInputs are the values given outside the configuration.
type VarInputs struct {
	// Environ is the process environment as KEY=VALUE strings.
	Environ []string
	// VarFiles are the --var-file paths in command-line order.
	VarFiles []string
	// Vars are the --var NAME=VALUE strings in command-line order.
	Vars []string
	// Strict makes a variable file's value for an undeclared variable an
	// error instead of a warning: a CI check must not pass a misspelt name
	// (slm plan --strict, or SLM_STRICT=1).
	Strict bool
}

// assignment is a value not yet converted to its variable's type: values stay
// unparsed until the declared type is known, so "01" can stay a string.
type assignment struct {
	name   string
	expr   hcl.Expression // from files
	raw    string         // from the environment and the command line
	source ValueSource
}

// ResolveVariables applies every source of values, in increasing precedence:
// declared defaults, SLM_VAR_ environment variables, *.auto.slmvars.hcl files
// in lexical order, --var-file files in command-line order, then --var flags
// in command-line order. Each value is converted to the declared type and
// checked by the variable's validation blocks.
func (p *Parser) ResolveVariables(ctx context.Context, cfg *Config, in VarInputs) (map[string]*VariableValue, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var assigns []assignment

	envNames := make([]string, 0)
	envVals := map[string]string{}
	for _, kv := range in.Environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, EnvPrefix) {
			continue
		}
		name := strings.TrimPrefix(k, EnvPrefix)
		if _, declared := cfg.Variables[name]; !declared {
			continue // like Terraform: stray environment variables are ignored
		}
		envNames = append(envNames, name)
		envVals[name] = v
	}
	sort.Strings(envNames)
	for _, name := range envNames {
		assigns = append(assigns, assignment{name: name, raw: envVals[name], source: ValueSource{Kind: SourceEnv, Where: EnvPrefix + name}})
	}

	for _, f := range p.AutoVarFiles(cfg.Dir) {
		a, fdiags := p.readVarFile(ctx, cfg, f, SourceAutoFile, in.Strict)
		diags = append(diags, fdiags...)
		assigns = append(assigns, a...)
	}
	for _, f := range in.VarFiles {
		a, fdiags := p.readVarFile(ctx, cfg, f, SourceVarFile, in.Strict)
		diags = append(diags, fdiags...)
		assigns = append(assigns, a...)
	}
	for _, kv := range in.Vars {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid --var option",
				Detail:   fmt.Sprintf("The value %q is not of the form NAME=VALUE. Write for example --var=\"instance_type=ml.g5.xlarge\".", kv),
			})
			continue
		}
		if strings.TrimSpace(name) != name {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid --var option",
				Detail:   fmt.Sprintf("Variable name %q is invalid due to surrounding spaces. Did you mean --var=\"%s=%s\"?", name, strings.TrimSpace(name), strings.TrimSpace(raw)),
			})
			continue
		}
		if _, declared := cfg.Variables[name]; !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The command line sets %q, but the configuration declares no variable %q. Declare it with a variable block, or remove the --var option.%s", name, name, suggestVariable(cfg, name)),
			})
			continue
		}
		assigns = append(assigns, assignment{name: name, raw: raw, source: ValueSource{Kind: SourceCLI, Where: "--var " + name}})
	}

	values := map[string]*VariableValue{}
	for _, name := range sortedKeys(cfg.Variables) {
		v := cfg.Variables[name]
		ty, tdiags := variableType(v)
		diags = append(diags, tdiags...)
		vv := &VariableValue{Name: name, Sensitive: v.Sensitive}
		if def, ddiags := v.Default.Value(nil); !ddiags.HasErrors() && !def.IsNull() {
			cv, err := convert.Convert(def, ty)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("The default value of variable %q is not a %s: %s.", name, ty.FriendlyName(), err),
					Subject:  v.Default.Range().Ptr(),
				})
				continue
			}
			vv.Value = cv
			vv.Source = ValueSource{Kind: SourceDefault, Where: fmt.Sprintf("%s:%d", v.DeclRange.Filename, v.DeclRange.Start.Line), Range: v.Default.Range().Ptr()}
		} else if !ddiags.HasErrors() && v.HasDefault {
			// default = null: optional, and null until something sets it
			// (Terraform's behaviour); attributes read null as "not set".
			vv.Value = cty.NullVal(ty)
			vv.Source = ValueSource{Kind: SourceDefault, Where: fmt.Sprintf("%s:%d", v.DeclRange.Filename, v.DeclRange.Start.Line), Range: v.Default.Range().Ptr()}
		} else {
			diags = append(diags, ddiags...)
		}
		assignFailed := false
		for _, a := range assigns {
			if a.name != name {
				continue
			}
			val, adiags := a.value(ty)
			diags = append(diags, adiags...)
			if adiags.HasErrors() {
				assignFailed = true
				continue
			}
			if vv.Value != cty.NilVal {
				vv.Overrode = append(vv.Overrode, vv.Source)
			}
			vv.Value = val
			vv.Source = a.source
		}
		if vv.Value == cty.NilVal && assignFailed {
			continue
		}
		if vv.Value == cty.NilVal {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail: fmt.Sprintf("The variable %q has no default, so it needs a value: add %s = ... to a variable file passed with --var-file, pass --var=\"%s=...\", or set %s%s.",
					name, name, name, EnvPrefix, name),
				Subject: v.DeclRange.Ptr(),
			})
			continue
		}
		values[name] = vv
	}
	if diags.HasErrors() {
		return values, diags
	}
	diags = append(diags, validateVariables(cfg, values)...)
	return values, diags
}

// UnknownVariables gives every declared variable an unknown value of its
// declared type, so `slm validate` checks a configuration without values.
func UnknownVariables(cfg *Config) (map[string]*VariableValue, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := map[string]*VariableValue{}
	for _, name := range sortedKeys(cfg.Variables) {
		v := cfg.Variables[name]
		ty, tdiags := variableType(v)
		diags = append(diags, tdiags...)
		values[name] = &VariableValue{Name: name, Value: cty.UnknownVal(ty), Sensitive: v.Sensitive, Source: ValueSource{Kind: SourceUnknown}}
	}
	return values, diags
}

func variableType(v *Variable) (cty.Type, hcl.Diagnostics) {
	if isNullExpr(v.Type) {
		return cty.DynamicPseudoType, nil
	}
	ty, diags := typeexpr.TypeConstraint(v.Type)
	if diags.HasErrors() {
		return cty.DynamicPseudoType, diags
	}
	return ty, nil
}

func isNullExpr(e hcl.Expression) bool {
	if e == nil {
		return true
	}
	if len(e.Variables()) > 0 {
		return false
	}
	v, diags := e.Value(nil)
	return !diags.HasErrors() && v.IsNull()
}

func (a assignment) value(ty cty.Type) (cty.Value, hcl.Diagnostics) {
	var val cty.Value
	if a.expr != nil {
		v, diags := a.expr.Value(nil)
		if diags.HasErrors() {
			return cty.NilVal, diags
		}
		val = v
	} else if ty == cty.String || ty == cty.DynamicPseudoType {
		// Strings from the environment and the command line are taken as
		// they are, so users need not quote them.
		val = cty.StringVal(a.raw)
	} else {
		expr, diags := hclsyntax.ParseExpression([]byte(a.raw), a.source.String(), hcl.InitialPos)
		if diags.HasErrors() {
			return cty.NilVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The value of %q from the %s must be a %s written in HCL syntax, for example %s; %q is not.", a.name, a.source, ty.FriendlyName(), exampleOf(ty), a.raw),
			}}
		}
		v, vdiags := expr.Value(nil)
		if vdiags.HasErrors() {
			return cty.NilVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The value of %q from the %s must be a %s written in HCL syntax, for example %s; %q is not.", a.name, a.source, ty.FriendlyName(), exampleOf(ty), a.raw),
			}}
		}
		val = v
	}
	if val.IsNull() {
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Null value for variable",
			Detail:   fmt.Sprintf("The %s sets %q to null, which is not a value. Remove the assignment to use the declared default, or give a value.", a.source, a.name),
		}
		if a.source.Range != nil {
			d.Subject = a.source.Range
		}
		return cty.NilVal, hcl.Diagnostics{d}
	}
	cv, err := convert.Convert(val, ty)
	if err != nil {
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value of %q from the %s is not a %s: %s.", a.name, a.source, ty.FriendlyName(), err),
		}
		if a.source.Range != nil {
			d.Subject = a.source.Range
		}
		return cty.NilVal, hcl.Diagnostics{d}
	}
	return cv, nil
}

func exampleOf(ty cty.Type) string {
	switch {
	case ty == cty.Number:
		return "3"
	case ty == cty.Bool:
		return "true"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return `["a","b"]`
	case ty.IsMapType() || ty.IsObjectType():
		return `{key="value"}`
	default:
		return `"text"`
	}
}

func (p *Parser) readVarFile(ctx context.Context, cfg *Config, name string, kind SourceKind, strict bool) ([]assignment, hcl.Diagnostics) {
	f, diags := p.ParseFile(ctx, name)
	if f == nil || diags.HasErrors() {
		return nil, diags
	}
	attrs, adiags := f.Body.JustAttributes()
	diags = append(diags, adiags...)
	var out []assignment
	for _, attrName := range sortedKeys(attrs) {
		a := attrs[attrName]
		if _, declared := cfg.Variables[attrName]; !declared {
			// A warning, not an error: one variable file often serves
			// several configurations (Terraform does the same). Strict
			// mode (CI) makes it an error.
			d := &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The file sets %q, but the configuration declares no variable %q; the value is ignored.%s", attrName, attrName, suggestVariable(cfg, attrName)),
				Subject:  a.NameRange.Ptr(),
			}
			if strict {
				d.Severity = hcl.DiagError
				d.Detail = fmt.Sprintf("The file sets %q, but the configuration declares no variable %q (an error in strict mode, --strict or %s=1).%s", attrName, attrName, StrictEnv, suggestVariable(cfg, attrName))
			}
			diags = append(diags, d)
			continue
		}
		rng := a.Expr.Range()
		out = append(out, assignment{
			name:   attrName,
			expr:   a.Expr,
			source: ValueSource{Kind: kind, Where: fmt.Sprintf("%s:%d", name, a.NameRange.Start.Line), Range: &rng},
		})
	}
	return out, diags
}

func validateVariables(cfg *Config, values map[string]*VariableValue) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(cfg.Variables) {
		v := cfg.Variables[name]
		vv, ok := values[name]
		if !ok || !vv.Value.IsWhollyKnown() {
			continue
		}
		ctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{name: vv.Value})},
			Functions: Functions(cfg.Dir),
		}
		for _, val := range v.Validations {
			res, cdiags := val.Condition.Value(ctx)
			if cdiags.HasErrors() {
				diags = append(diags, cdiags...)
				continue
			}
			if res.IsNull() || !res.Type().Equals(cty.Bool) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid validation condition",
					Detail:   "The condition of a validation block must be true or false.",
					Subject:  val.Condition.Range().Ptr(),
				})
				continue
			}
			if res.True() {
				continue
			}
			msg := "The value is not valid."
			if m, mdiags := val.ErrorMessage.Value(ctx); !mdiags.HasErrors() && m.Type() == cty.String && m.IsKnown() && !m.IsNull() {
				msg = m.AsString()
			}
			d := &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("%s\n\nThe value of var.%s comes from the %s; the rule is at %s.", msg, name, vv.Source, Pos(val.DeclRange)),
				Subject:  val.Condition.Range().Ptr(),
			}
			if vv.Source.Range != nil {
				d.Subject = vv.Source.Range
			}
			diags = append(diags, d)
		}
	}
	return diags
}

func suggestVariable(cfg *Config, name string) string {
	return DidYouMean(sortedKeys(cfg.Variables), name)
}

// DidYouMean returns ` Did you mean "x"?` for the candidate closest to name
// (case-insensitively, at most two edits away), or "" when none is close.
func DidYouMean(candidates []string, name string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein(strings.ToLower(name), strings.ToLower(c)); d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
