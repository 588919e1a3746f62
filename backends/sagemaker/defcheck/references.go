package defcheck

import (
	"fmt"
	"slices"
	"strings"
)

// executionVariables returns the names a {"Get": "Execution.<name>"} may use
// (sagemaker.workflow.execution_variables.ExecutionVariables), sorted.
func executionVariables() []string {
	return []string{
		"CurrentDateTime", "PipelineArn", "PipelineExecutionArn", "PipelineExecutionId",
		"PipelineName", "ProcessingJobName", "StartDateTime", "TrainingJobName",
	}
}

// reference is a data dependency: the step at owner reads a property of the step from.
type reference struct {
	from, owner *step
}

// resolveReferences finds every Get and Std:JsonGet in the definition, reports the ones that do not
// resolve, and returns the step-to-step data dependencies for the cycle check.
func resolveReferences(d *definition, shapes *propertyShapes) ([]reference, []Problem) {
	r := &resolver{def: d, shapes: shapes}
	if cfg, ok := d.root["PipelineExperimentConfig"]; ok {
		r.walk(cfg, pointer("PipelineExperimentConfig"), nil)
	}
	for _, s := range d.steps {
		for key, v := range s.obj {
			if key == "Arguments" && s.typ == "Condition" {
				// Branch steps are walked as steps of their own, so their references belong
				// to them, not to the condition.
				args, _ := v.(map[string]any)
				for k, a := range args {
					if k != "IfSteps" && k != "ElseSteps" {
						r.walk(a, child(s.ptr, "Arguments", k), s)
					}
				}
				continue
			}
			r.walk(v, child(s.ptr, key), s)
		}
	}
	return r.refs, r.problems
}

type resolver struct {
	def      *definition
	shapes   *propertyShapes
	refs     []reference
	problems []Problem
}

func (r *resolver) fail(ptr, format string, args ...any) {
	r.problems = append(r.problems, Problem{Path: ptr, Message: fmt.Sprintf(format, args...)})
}

func (r *resolver) walk(v any, ptr string, owner *step) {
	switch x := v.(type) {
	case map[string]any:
		if get, ok := x["Get"].(string); ok {
			r.get(get, child(ptr, "Get"), owner)
		}
		if jg, ok := x["Std:JsonGet"].(map[string]any); ok {
			r.jsonGet(jg, child(ptr, "Std:JsonGet"), owner)
		}
		for k, c := range x {
			if k == "Get" || k == "Std:JsonGet" {
				continue
			}
			r.walk(c, child(ptr, k), owner)
		}
	case []any:
		for i, c := range x {
			r.walk(c, child(ptr, index(i)), owner)
		}
	}
}

func (r *resolver) get(expr, ptr string, owner *step) {
	head, rest, _ := strings.Cut(expr, ".")
	switch head {
	case "Parameters":
		if _, ok := r.def.paramByName[rest]; !ok {
			r.fail(ptr, "Get %q: the definition declares no parameter %q%s", expr, rest, r.declaredParams())
		}
	case "Execution":
		if vars := executionVariables(); !slices.Contains(vars, rest) {
			r.fail(ptr, "Get %q: %q is not an execution variable (use one of %s)", expr, rest, strings.Join(vars, ", "))
		}
	case "PipelineExperimentConfig":
		if rest != "ExperimentName" && rest != "TrialName" {
			r.fail(ptr, "Get %q: PipelineExperimentConfig has only ExperimentName and TrialName", expr)
			return
		}
		if cfg, present := r.def.root["PipelineExperimentConfig"]; present && cfg == nil {
			r.fail(ptr, "Get %q: PipelineExperimentConfig is null (experiments disabled), so it has no value", expr)
		}
	case "Steps":
		from, prop := r.stepRef(expr, rest, ptr, owner)
		if from == nil {
			return
		}
		if strings.HasPrefix(prop, "PropertyFiles.") || prop == "PropertyFiles" {
			r.fail(ptr, "Get %q: property files are read with Std:JsonGet, not Get", expr)
			return
		}
		r.checkProperty(expr, prop, ptr, from)
	default:
		r.fail(ptr, "Get %q: a Get must start with Parameters., Execution., Steps. or PipelineExperimentConfig.", expr)
	}
}

// stepRef resolves "Steps.<name>.<property>" and records the data dependency.
func (r *resolver) stepRef(expr, rest, ptr string, owner *step) (*step, string) {
	end := strings.IndexAny(rest, ".[")
	name, prop := rest, ""
	if end >= 0 {
		name, prop = rest[:end], strings.TrimPrefix(rest[end:], ".")
	}
	from, ok := r.def.byName[name]
	if !ok {
		r.fail(ptr, "Get %q: the definition has no step %q", expr, name)
		return nil, ""
	}
	if prop == "" {
		r.fail(ptr, "Get %q: name a property of step %q, e.g. Steps.%s.<Property>", expr, name, name)
		return nil, ""
	}
	if owner != nil {
		r.refs = append(r.refs, reference{from: from, owner: owner})
	}
	return from, prop
}

// checkProperty checks the property part of a step reference: for job steps against the botocore
// response shapes the SDK builds properties from, for the other modelled types by their own rules.
// EMR, ClarifyCheck, QualityCheck and Endpoint properties are not checked.
func (r *resolver) checkProperty(expr, prop, ptr string, from *step) {
	if msg := r.shapes.checkPath(from.typ, prop); msg != "" {
		r.fail(ptr, "Get %q: %s", expr, msg)
		return
	}
	switch from.typ {
	case "Condition":
		if prop != "Outcome" {
			r.fail(ptr, "Get %q: a Condition step has one property, Outcome", expr)
		}
	case "Fail":
		r.fail(ptr, "Get %q: a Fail step has no properties", expr)
	case "Lambda", "Callback":
		name, ok := outputParameterName(prop)
		if !ok {
			r.fail(ptr, "Get %q: a %s step's properties are OutputParameters['<OutputName>']", expr, from.typ)
			return
		}
		if !declaresOutputParameter(from, name) {
			r.fail(ptr, "Get %q: step %q declares no output parameter %q in OutputParameters", expr, from.name, name)
		}
	case "Processing":
		name, ok := processingOutputName(prop)
		if !ok {
			return
		}
		if outputs, literal := from.processingOutputs(); literal && !outputs[name] {
			r.fail(ptr, "Get %q: processing step %q has no output named %q in ProcessingOutputConfig.Outputs", expr, from.name, name)
		}
	}
}

// jsonGet checks {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.S.PropertyFiles.F"}, "Path": ...}}.
func (r *resolver) jsonGet(jg map[string]any, ptr string, owner *step) {
	pf, _ := jg["PropertyFile"].(map[string]any)
	expr, ok := pf["Get"].(string)
	if !ok {
		return // the schema reports the missing or malformed PropertyFile
	}
	ptr = child(ptr, "PropertyFile", "Get")
	rest, isStep := strings.CutPrefix(expr, "Steps.")
	if !isStep {
		r.fail(ptr, "Std:JsonGet PropertyFile %q must be Steps.<step>.PropertyFiles.<name>", expr)
		return
	}
	from, prop := r.stepRef(expr, rest, ptr, owner)
	if from == nil {
		return
	}
	file, ok := strings.CutPrefix(prop, "PropertyFiles.")
	if !ok || file == "" || strings.ContainsAny(file, ".[") {
		r.fail(ptr, "Std:JsonGet PropertyFile %q must be Steps.<step>.PropertyFiles.<name>", expr)
		return
	}
	for _, f := range propertyFiles(from) {
		if f.name == file {
			return
		}
	}
	r.fail(ptr, "Std:JsonGet PropertyFile %q: step %q declares no property file %q in PropertyFiles", expr, from.name, file)
}

func (r *resolver) declaredParams() string {
	if len(r.def.params) == 0 {
		return " (it declares no parameters)"
	}
	names := make([]string, 0, len(r.def.params))
	for _, p := range r.def.params {
		names = append(names, p.name)
	}
	slices.Sort(names)
	return " (declared: " + strings.Join(slices.Compact(names), ", ") + ")"
}

// outputParameterName parses "OutputParameters['name']".
func outputParameterName(prop string) (string, bool) {
	return bracketName(prop, "OutputParameters")
}

// processingOutputName parses "ProcessingOutputConfig.Outputs['name']..." .
func processingOutputName(prop string) (string, bool) {
	return bracketName(prop, "ProcessingOutputConfig.Outputs")
}

// bracketName parses `<prefix>['name']` (and the same with double quotes) at the start of prop.
func bracketName(prop, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(prop, prefix+"[")
	if !ok || len(rest) < 2 || (rest[0] != '\'' && rest[0] != '"') {
		return "", false
	}
	quote := rest[0]
	end := strings.IndexByte(rest[1:], quote)
	if end < 0 || len(rest) < end+3 || rest[end+2] != ']' {
		return "", false
	}
	return rest[1 : end+1], true
}

func declaresOutputParameter(s *step, name string) bool {
	outs, _ := s.obj["OutputParameters"].([]any)
	for _, o := range outs {
		obj, _ := o.(map[string]any)
		if n, ok := obj["OutputName"].(string); ok && n == name {
			return true
		}
	}
	return false
}
