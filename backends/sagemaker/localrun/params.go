package localrun

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// resolveParameters gives every parameter its value for the execution: the
// override when there is one (parsed for the parameter's type), else the
// default. All problems are reported together.
func resolveParameters(decl []Parameter, overrides map[string]string) (map[string]any, error) {
	var problems []string
	known := map[string]Parameter{}
	var names []string
	for _, p := range decl {
		known[p.Name] = p
		names = append(names, p.Name)
	}
	sort.Strings(names)
	var unknown []string
	for k := range overrides {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		list := "it has none"
		if len(names) > 0 {
			list = "it has " + strings.Join(names, ", ")
		}
		problems = append(problems, fmt.Sprintf("--param %s: the pipeline has no parameter %s (%s)", k, k, list))
	}
	values := map[string]any{}
	for _, name := range names {
		p := known[name]
		raw, set := overrides[name]
		var v any
		if set {
			var err error
			if v, err = parseParam(p.Type, raw); err != nil {
				problems = append(problems, fmt.Sprintf("--param %s=%s: %v", name, raw, err))
				continue
			}
		} else {
			if p.DefaultValue == nil {
				problems = append(problems, fmt.Sprintf("parameter %s has no default: pass --param %s=VALUE", name, name))
				continue
			}
			v = normalize(p.Type, p.DefaultValue)
		}
		if len(p.EnumValues) > 0 {
			ok := false
			var allowed []string
			for _, e := range p.EnumValues {
				s, _ := render(e)
				allowed = append(allowed, s)
				if eq, _ := compare("Equals", v, e); eq {
					ok = true
				}
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("parameter %s=%v: want one of %s", name, v, strings.Join(allowed, ", ")))
				continue
			}
		}
		values[name] = v
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return values, nil
}

// parseParam reads an override as SageMaker types a parameter value.
func parseParam(typ, raw string) (any, error) {
	switch typ {
	case "String":
		return raw, nil
	case "Integer":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer")
		}
		return n, nil
	case "Float":
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number")
		}
		return f, nil
	case "Boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("want true or false")
		}
		return b, nil
	}
	return nil, fmt.Errorf("parameter type %q is not supported", typ)
}

func normalize(typ string, v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if typ == "Integer" {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	f, _ := n.Float64()
	return f
}

// ParseAssignments splits NAME=VALUE flags into a map, naming the flag in
// errors; a name given twice is an error.
func ParseAssignments(flag string, items []string) (map[string]string, error) {
	out := map[string]string{}
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--%s %q: want NAME=VALUE", flag, it)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("--%s %s is given twice", flag, k)
		}
		out[k] = v
	}
	return out, nil
}
