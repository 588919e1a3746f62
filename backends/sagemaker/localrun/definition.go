package localrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Definition is the part of a pipeline definition the executor reads;
// step arguments stay generic JSON (json.Number for numbers), evaluated
// when the step runs.
type Definition struct {
	Parameters []Parameter
	// Steps are the top-level steps; Condition steps hold their branches.
	Steps []*Step
	// all is every step by name, branch steps included.
	all map[string]*Step
}

// Parameter is a pipeline parameter declaration.
type Parameter struct {
	Name         string
	Type         string
	DefaultValue any
	EnumValues   []any
}

// Step is one step of the definition.
type Step struct {
	Name          string
	Type          string
	Arguments     map[string]any
	DependsOn     []string
	CacheConfig   *CacheConfig
	PropertyFiles []PropertyFile
	// Condition steps: the steps each branch holds.
	IfSteps, ElseSteps []*Step
	// parent is the Condition step a branch step sits in, and branch which
	// of its branches (true: IfSteps).
	parent string
	branch bool
}

// CacheConfig is SageMaker's step caching setting.
type CacheConfig struct {
	Enabled     bool
	ExpireAfter string
}

// PropertyFile names a JSON file a step writes to one of its outputs.
type PropertyFile struct {
	PropertyFileName string
	OutputName       string
	FilePath         string
}

// ParseDefinition decodes a pipeline definition. Keys the executor does
// not know are reported by Check, not here, so every problem is listed
// at once.
func ParseDefinition(b []byte) (*Definition, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("decoding the pipeline definition: %w", err)
	}
	var unsupported []string
	d := &Definition{all: map[string]*Step{}}
	for k, v := range raw {
		switch k {
		case "Version", "Metadata", "PipelineExperimentConfig":
		case "Parameters":
			ps, _ := v.([]any)
			for _, p := range ps {
				m, _ := p.(map[string]any)
				par := Parameter{Name: str(m["Name"]), Type: str(m["Type"]), DefaultValue: m["DefaultValue"]}
				if ev, ok := m["EnumValues"].([]any); ok {
					par.EnumValues = ev
				}
				for pk := range m {
					switch pk {
					case "Name", "Type", "DefaultValue", "EnumValues":
					default:
						unsupported = append(unsupported, fmt.Sprintf("parameter %s: field %s", par.Name, pk))
					}
				}
				d.Parameters = append(d.Parameters, par)
			}
		case "Steps":
			steps, err := parseSteps(v, "", false, d, &unsupported)
			if err != nil {
				return nil, nil, err
			}
			d.Steps = steps
		default:
			unsupported = append(unsupported, "definition field "+k)
		}
	}
	sort.Strings(unsupported)
	return d, unsupported, nil
}

func parseSteps(v any, parent string, branch bool, d *Definition, unsupported *[]string) ([]*Step, error) {
	list, ok := v.([]any)
	if !ok && v != nil {
		return nil, fmt.Errorf("steps: want a list, got %T", v)
	}
	var out []*Step
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("a step is a %T, want an object", item)
		}
		s := &Step{Name: str(m["Name"]), Type: str(m["Type"]), parent: parent, branch: branch}
		if s.Name == "" {
			return nil, fmt.Errorf("a step has no Name")
		}
		if _, dup := d.all[s.Name]; dup {
			return nil, fmt.Errorf("step %s is defined twice", s.Name)
		}
		d.all[s.Name] = s
		s.Arguments, _ = m["Arguments"].(map[string]any)
		for k, fv := range m {
			switch k {
			case "Name", "Type", "Arguments", "DisplayName", "Description":
			case "RetryPolicies":
				// Retries answer service faults (throttling, capacity,
				// internal errors) that a local run does not have.
			case "DependsOn":
				for _, dep := range asList(fv) {
					s.DependsOn = append(s.DependsOn, str(dep))
				}
			case "CacheConfig":
				cm, _ := fv.(map[string]any)
				enabled, _ := cm["Enabled"].(bool)
				s.CacheConfig = &CacheConfig{Enabled: enabled, ExpireAfter: str(cm["ExpireAfter"])}
			case "PropertyFiles":
				for _, pf := range asList(fv) {
					pm, _ := pf.(map[string]any)
					s.PropertyFiles = append(s.PropertyFiles, PropertyFile{
						PropertyFileName: str(pm["PropertyFileName"]), OutputName: str(pm["OutputName"]), FilePath: str(pm["FilePath"]),
					})
				}
			default:
				*unsupported = append(*unsupported, fmt.Sprintf("step %s: field %s", s.Name, k))
			}
		}
		if s.Type == "Condition" {
			var err error
			if s.IfSteps, err = parseSteps(s.Arguments["IfSteps"], s.Name, true, d, unsupported); err != nil {
				return nil, err
			}
			if s.ElseSteps, err = parseSteps(s.Arguments["ElseSteps"], s.Name, false, d, unsupported); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Step returns a step by name, branch steps included.
func (d *Definition) Step(name string) *Step { return d.all[name] }

// names returns every step name, sorted.
func (d *Definition) names() []string {
	out := make([]string, 0, len(d.all))
	for n := range d.all {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// stepRefs lists the steps an argument tree reads through Get
// ("Steps.NAME...."), sorted and unique.
func stepRefs(v any) []string {
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if p, ok := x["Get"].(string); ok && len(x) == 1 {
				if rest, ok := strings.CutPrefix(p, "Steps."); ok {
					name, _, _ := strings.Cut(rest, ".")
					seen[name] = true
				}
				return
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// deps are the steps a step waits for: those its arguments read, those it
// names in DependsOn, and the Condition step whose branch holds it.
func (s *Step) deps() []string {
	args := s.Arguments
	if s.Type == "Condition" {
		// The branches are separate steps; only the conditions are read here.
		args = map[string]any{"Conditions": s.Arguments["Conditions"]}
	}
	set := map[string]bool{}
	for _, r := range stepRefs(args) {
		set[r] = true
	}
	for _, r := range s.DependsOn {
		set[r] = true
	}
	if s.parent != "" {
		set[s.parent] = true
	}
	delete(set, s.Name)
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
