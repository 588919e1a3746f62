package defcheck

// definition is the part of a decoded pipeline definition the semantic checks need.
type definition struct {
	root   map[string]any
	params []param
	// steps lists every step, condition branches included, in document order.
	steps []*step
	// byName maps a step name to its first declaration.
	byName map[string]*step
	// paramByName maps a parameter name to its first declaration.
	paramByName map[string]param
}

type param struct {
	name string
	ptr  string
}

type step struct {
	name string
	typ  string
	ptr  string
	obj  map[string]any
	// parent is the condition step whose IfSteps/ElseSteps hold this step, nil at top level.
	parent *step
}

func readDefinition(root map[string]any) *definition {
	d := &definition{root: root, byName: map[string]*step{}, paramByName: map[string]param{}}
	if ps, ok := root["Parameters"].([]any); ok {
		for i, p := range ps {
			obj, ok := p.(map[string]any)
			if !ok {
				continue
			}
			name, ok := obj["Name"].(string)
			if !ok {
				continue
			}
			pa := param{name: name, ptr: pointer("Parameters", index(i))}
			d.params = append(d.params, pa)
			if _, dup := d.paramByName[name]; !dup {
				d.paramByName[name] = pa
			}
		}
	}
	if ss, ok := root["Steps"].([]any); ok {
		d.readSteps(ss, pointer("Steps"), nil)
	}
	return d
}

func (d *definition) readSteps(list []any, base string, parent *step) {
	for i, v := range list {
		obj, ok := v.(map[string]any)
		if !ok {
			continue
		}
		s := &step{ptr: child(base, index(i)), obj: obj, parent: parent}
		s.name, _ = obj["Name"].(string)
		s.typ, _ = obj["Type"].(string)
		d.steps = append(d.steps, s)
		if s.name != "" {
			if _, dup := d.byName[s.name]; !dup {
				d.byName[s.name] = s
			}
		}
		if s.typ == "Condition" {
			args, _ := obj["Arguments"].(map[string]any)
			for _, branch := range []string{"IfSteps", "ElseSteps"} {
				if nested, ok := args[branch].([]any); ok {
					d.readSteps(nested, child(s.ptr, "Arguments", branch), s)
				}
			}
		}
	}
}

// arguments returns the step's Arguments object, or nil.
func (s *step) arguments() map[string]any {
	args, _ := s.obj["Arguments"].(map[string]any)
	return args
}

// processingOutputs returns the literal OutputNames of a processing step's outputs and whether
// all of them are literal (a name computed at run time cannot be checked).
func (s *step) processingOutputs() (map[string]bool, bool) {
	names := map[string]bool{}
	cfg, _ := s.arguments()["ProcessingOutputConfig"].(map[string]any)
	outs, _ := cfg["Outputs"].([]any)
	literal := true
	for _, o := range outs {
		obj, _ := o.(map[string]any)
		name, ok := obj["OutputName"].(string)
		if !ok {
			literal = false
			continue
		}
		names[name] = true
	}
	return names, literal
}
