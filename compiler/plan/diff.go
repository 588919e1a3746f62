package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// DiffDefinitions compares two SageMaker pipeline definitions (JSON) the
// way a reviewer reads them: step by step (steps matched by Name, wherever
// they are nested in a Condition's branches), field by field, list items
// matched by their Name, hyperparameters decoded (SageMaker passes them as
// JSON-encoded strings). old may be nil (nothing deployed). Changes come
// pipeline fields first, then steps in the new definition's order, then
// removed steps.
func DiffDefinitions(old, new []byte) ([]Change, error) {
	nf, norder, err := flattenDefinition(new)
	if err != nil {
		return nil, fmt.Errorf("reading the planned definition: %w", err)
	}
	of := map[string]map[string]string{}
	var oorder []string
	if old != nil {
		if of, oorder, err = flattenDefinition(old); err != nil {
			return nil, fmt.Errorf("reading the deployed definition: %w", err)
		}
	}
	var out []Change
	steps := append([]string(nil), norder...)
	for _, s := range oorder {
		if _, ok := nf[s]; !ok {
			steps = append(steps, s)
		}
	}
	for _, s := range steps {
		o, inOld := of[s]
		n, inNew := nf[s]
		name := strings.TrimPrefix(s, stepKey)
		if s == pipelineKey {
			name = ""
		}
		switch {
		case !inOld && name != "":
			out = append(out, Change{Action: Create, Step: name})
			continue
		case !inNew && name != "":
			out = append(out, Change{Action: Delete, Step: name})
			continue
		}
		out = append(out, diffFields(name, o, n)...)
	}
	return out, nil
}

const (
	pipelineKey = "\x00pipeline"
	stepKey     = "step:"
)

func diffFields(step string, o, n map[string]string) []Change {
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []Change
	for _, k := range sorted {
		ov, inOld := o[k]
		nv, inNew := n[k]
		switch {
		case !inOld:
			out = append(out, Change{Action: Create, Step: step, Path: k, New: &nv})
		case !inNew:
			out = append(out, Change{Action: Delete, Step: step, Path: k, Old: &ov})
		case ov != nv:
			out = append(out, Change{Action: Update, Step: step, Path: k, Old: &ov, New: &nv})
		}
	}
	return out
}

// flattenDefinition reads a definition into field path -> rendered value
// per step (and pipelineKey for the rest), with the steps' order.
func flattenDefinition(def []byte) (map[string]map[string]string, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(def))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, nil, err
	}
	out := map[string]map[string]string{pipelineKey: {}}
	order := []string{pipelineKey}
	for k, v := range root {
		if k == "Steps" {
			continue
		}
		flatten(k, v, out[pipelineKey])
	}
	var walk func(steps any) error
	walk = func(steps any) error {
		list, ok := steps.([]any)
		if !ok {
			return nil
		}
		for _, s := range list {
			m, ok := s.(map[string]any)
			if !ok {
				return fmt.Errorf("a step is not an object")
			}
			name, _ := m["Name"].(string)
			key := stepKey + name
			if _, dup := out[key]; dup {
				return fmt.Errorf("step %q appears twice", name)
			}
			fields := map[string]string{}
			out[key] = fields
			order = append(order, key)
			// A Condition's branches hold whole steps: each is diffed
			// as its own step, and the branch lists only their names.
			if args, ok := m["Arguments"].(map[string]any); ok {
				for _, br := range []string{"IfSteps", "ElseSteps"} {
					if nested, ok := args[br].([]any); ok {
						var names []string
						for _, ns := range nested {
							if nm, ok := ns.(map[string]any); ok {
								n, _ := nm["Name"].(string)
								names = append(names, n)
							}
						}
						fields["Arguments."+br] = strings.Join(names, ", ")
					}
				}
			}
			for k, v := range m {
				if k == "Name" {
					continue
				}
				if k == "Arguments" {
					if args, ok := v.(map[string]any); ok {
						for ak, av := range args {
							if ak == "IfSteps" || ak == "ElseSteps" {
								continue
							}
							flatten("Arguments."+ak, av, fields)
						}
						continue
					}
				}
				flatten(k, v, fields)
			}
			if args, ok := m["Arguments"].(map[string]any); ok {
				for _, br := range []string{"IfSteps", "ElseSteps"} {
					if err := walk(args[br]); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk(root["Steps"]); err != nil {
		return nil, nil, err
	}
	return out, order, nil
}

// flatten writes v's leaves under path: objects by key, lists of named
// objects by [Name], other lists by [index] (lists of scalars whole), and
// hyperparameter strings decoded.
func flatten(path string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "{}"
			return
		}
		if len(x) == 1 {
			// {"Get": "Parameters.X"} and other one-key functions read
			// best whole.
			for k, inner := range x {
				if k == "Get" || strings.HasPrefix(k, "Std:") {
					out[path] = compact(x)
					_ = inner
					return
				}
			}
		}
		for k, e := range x {
			flatten(path+"."+k, e, out)
		}
	case []any:
		if len(x) == 0 {
			out[path] = "[]"
			return
		}
		named, scalars := true, true
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				named = false
			} else if _, ok := m["Name"].(string); !ok {
				named = false
			}
			switch e.(type) {
			case map[string]any, []any:
				scalars = false
			}
		}
		switch {
		case scalars:
			out[path] = compact(x)
		case named:
			for _, e := range x {
				m := e.(map[string]any)
				name := m["Name"].(string)
				rest := map[string]any{}
				for k, v := range m {
					if k != "Name" {
						rest[k] = v
					}
				}
				if len(rest) == 0 {
					out[path+"["+name+"]"] = "{}"
					continue
				}
				flatten(path+"["+name+"]", rest, out)
			}
		default:
			for i, e := range x {
				flatten(fmt.Sprintf("%s[%d]", path, i), e, out)
			}
		}
	case string:
		if strings.Contains(path, "HyperParameters.") {
			dec := json.NewDecoder(strings.NewReader(x))
			dec.UseNumber()
			var inner any
			if err := dec.Decode(&inner); err == nil && !dec.More() {
				if s, ok := inner.(string); ok {
					out[path] = fmt.Sprintf("%q", s)
					return
				}
				flatten(path, inner, out)
				return
			}
		}
		out[path] = fmt.Sprintf("%q", x)
	default:
		out[path] = compact(x)
	}
}

func compact(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}
