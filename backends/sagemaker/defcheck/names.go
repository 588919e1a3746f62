package defcheck

import "fmt"

// nameProblems reports duplicate step and parameter names. Step names share one namespace across
// condition branches (the SDK refuses "steps added in the ConditionStep" that are also pipeline
// steps); the name pattern itself is the schema's to check.
func nameProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		if s.name == "" {
			continue
		}
		if first := d.byName[s.name]; first != s {
			out = append(out, Problem{
				Path:    child(s.ptr, "Name"),
				Message: fmt.Sprintf("step name %q is already used by the step at %s; step names must be unique across the definition, condition branches included", s.name, first.ptr),
			})
		}
	}
	for _, p := range d.params {
		if first := d.paramByName[p.name]; first.ptr != p.ptr {
			out = append(out, Problem{
				Path:    child(p.ptr, "Name"),
				Message: fmt.Sprintf("parameter name %q is already used by the parameter at %s; parameter names must be unique", p.name, first.ptr),
			})
		}
	}
	return out
}

// dependsOnProblems reports DependsOn entries that name no step.
func dependsOnProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		deps, _ := s.obj["DependsOn"].([]any)
		for i, v := range deps {
			name, ok := v.(string)
			if !ok {
				continue
			}
			if _, found := d.byName[name]; !found {
				out = append(out, Problem{
					Path:    child(s.ptr, "DependsOn", index(i)),
					Message: fmt.Sprintf("DependsOn names step %q, which the definition does not define", name),
				})
			}
		}
	}
	return out
}
