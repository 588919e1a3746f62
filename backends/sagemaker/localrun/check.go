package localrun

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// UnsupportedError lists the constructs of a definition a local run cannot
// execute; nothing has run when it is returned.
type UnsupportedError struct {
	Constructs []string
}

func (e *UnsupportedError) Error() string {
	return "the pipeline uses what slm run cannot execute locally:\n  " + strings.Join(e.Constructs, "\n  ")
}

// stepProperties are the property roots each step type provides (the
// Describe*Job response fields the executor fills in).
var stepProperties = map[string]map[string]bool{
	"Processing":    {"ProcessingOutputConfig": true, "ProcessingInputs": true, "ProcessingJobName": true, "ProcessingJobArn": true, "ProcessingJobStatus": true, "AppSpecification": true, "Environment": true, "PropertyFiles": true},
	"Training":      {"ModelArtifacts": true, "TrainingJobName": true, "TrainingJobArn": true, "TrainingJobStatus": true, "FinalMetricDataList": true, "HyperParameters": true, "OutputDataConfig": true, "InputDataConfig": true, "CheckpointConfig": true},
	"RegisterModel": {"ModelPackageArn": true, "ModelPackageGroupName": true, "ModelPackageVersion": true, "ModelApprovalStatus": true},
	"Condition":     {"Outcome": true},
}

// runnerScript is the processing entrypoint the SageMaker backend writes:
// sh copies the slm binary from its code input and runs it.
var runnerScript = regexp.MustCompile(`^install -m 0755 (/opt/ml/[^ ]+) /tmp/slm && exec /tmp/slm "\$@"$`)

// check lists every construct of the definition the executor does not
// support, and every reference that cannot resolve.
func check(d *Definition, unsupported []string) error {
	problems := append([]string(nil), unsupported...)
	params := map[string]bool{}
	for _, p := range d.Parameters {
		params[p.Name] = true
		switch p.Type {
		case "String", "Integer", "Float", "Boolean":
		default:
			problems = append(problems, fmt.Sprintf("parameter %s: type %q", p.Name, p.Type))
		}
	}
	for _, name := range d.names() {
		s := d.all[name]
		where := "step " + s.Name
		switch s.Type {
		case "Processing":
			problems = append(problems, checkProcessing(s)...)
		case "Training":
			problems = append(problems, checkTraining(s)...)
		case "Condition", "Fail", "RegisterModel":
		default:
			problems = append(problems, fmt.Sprintf("%s: step type %s (local runs support Processing, Training, Condition, Fail and RegisterModel)", where, s.Type))
		}
		for _, dep := range s.DependsOn {
			if d.all[dep] == nil {
				problems = append(problems, fmt.Sprintf("%s: DependsOn names no step %s", where, dep))
			}
		}
		args := s.Arguments
		if s.Type == "Condition" {
			args = map[string]any{"Conditions": s.Arguments["Conditions"]}
			for _, c := range asList(s.Arguments["Conditions"]) {
				problems = append(problems, checkCondition(where, c)...)
			}
		}
		problems = append(problems, checkExpressions(d, where, args, params)...)
		if s.CacheConfig != nil && s.CacheConfig.Enabled && s.CacheConfig.ExpireAfter != "" {
			if _, err := parseISODuration(s.CacheConfig.ExpireAfter); err != nil {
				problems = append(problems, fmt.Sprintf("%s: CacheConfig.ExpireAfter: %v", where, err))
			}
		}
	}
	if cycle := findCycle(d); cycle != "" {
		problems = append(problems, "a dependency cycle: "+cycle)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return &UnsupportedError{Constructs: problems}
	}
	return nil
}

func checkProcessing(s *Step) []string {
	var out []string
	where := "step " + s.Name
	app, _ := s.Arguments["AppSpecification"].(map[string]any)
	entry := asList(app["ContainerEntrypoint"])
	ok := len(entry) >= 4 && str(entry[0]) == "/bin/sh" && str(entry[1]) == "-c" && runnerScript.MatchString(str(entry[2]))
	if !ok {
		out = append(out, where+": a container entrypoint other than the slm step runner's (local runs execute slm steps, not container images)")
	}
	if _, has := app["ContainerArguments"]; has {
		out = append(out, where+": AppSpecification.ContainerArguments")
	}
	for _, in := range asList(s.Arguments["ProcessingInputs"]) {
		m, _ := in.(map[string]any)
		s3, ok := m["S3Input"].(map[string]any)
		if !ok {
			out = append(out, fmt.Sprintf("%s: input %s is not an S3Input", where, str(m["InputName"])))
			continue
		}
		if t := str(s3["S3DataType"]); t != "S3Prefix" {
			out = append(out, fmt.Sprintf("%s: input %s: S3DataType %s", where, str(m["InputName"]), t))
		}
		if mode := str(s3["S3InputMode"]); mode != "" && mode != "File" {
			out = append(out, fmt.Sprintf("%s: input %s: S3InputMode %s", where, str(m["InputName"]), mode))
		}
	}
	oc, _ := s.Arguments["ProcessingOutputConfig"].(map[string]any)
	for _, o := range asList(oc["Outputs"]) {
		m, _ := o.(map[string]any)
		if _, ok := m["S3Output"].(map[string]any); !ok {
			out = append(out, fmt.Sprintf("%s: output %s is not an S3Output", where, str(m["OutputName"])))
		}
	}
	for _, pf := range s.PropertyFiles {
		found := false
		for _, o := range asList(oc["Outputs"]) {
			m, _ := o.(map[string]any)
			found = found || str(m["OutputName"]) == pf.OutputName
		}
		if !found {
			out = append(out, fmt.Sprintf("%s: property file %s reads output %s, which the step does not have", where, pf.PropertyFileName, pf.OutputName))
		}
	}
	return out
}

func checkTraining(s *Step) []string {
	var out []string
	where := "step " + s.Name
	alg, _ := s.Arguments["AlgorithmSpecification"].(map[string]any)
	if mode := str(alg["TrainingInputMode"]); mode != "" && mode != "File" {
		out = append(out, where+": TrainingInputMode "+mode)
	}
	if _, ok := alg["AlgorithmName"]; ok {
		out = append(out, where+": AlgorithmSpecification.AlgorithmName (a marketplace algorithm)")
	}
	hp, _ := s.Arguments["HyperParameters"].(map[string]any)
	if str(hp["sagemaker_program"]) == "" || str(hp["sagemaker_submit_directory"]) == "" {
		out = append(out, where+": no sagemaker_program / sagemaker_submit_directory hyperparameters (local runs execute the training script the framework container would)")
	}
	for _, ch := range asList(s.Arguments["InputDataConfig"]) {
		m, _ := ch.(map[string]any)
		ds, _ := m["DataSource"].(map[string]any)
		s3, ok := ds["S3DataSource"].(map[string]any)
		if !ok {
			out = append(out, fmt.Sprintf("%s: channel %s is not an S3DataSource", where, str(m["ChannelName"])))
			continue
		}
		if t := str(s3["S3DataType"]); t != "S3Prefix" {
			out = append(out, fmt.Sprintf("%s: channel %s: S3DataType %s", where, str(m["ChannelName"]), t))
		}
	}
	rc, _ := s.Arguments["ResourceConfig"].(map[string]any)
	if n, ok := number(rc["InstanceCount"]); ok && n > 1 {
		out = append(out, fmt.Sprintf("%s: InstanceCount %v (distributed training runs on one machine only in the cloud)", where, rc["InstanceCount"]))
	}
	return out
}

func checkCondition(where string, c any) []string {
	m, _ := c.(map[string]any)
	typ := str(m["Type"])
	switch {
	case comparisons[typ] != "", typ == "In":
		return nil
	case typ == "Not":
		return checkCondition(where, m["Expression"])
	case typ == "Or":
		var out []string
		for _, sub := range asList(m["Conditions"]) {
			out = append(out, checkCondition(where, sub)...)
		}
		return out
	}
	return []string{fmt.Sprintf("%s: condition type %q", where, typ)}
}

// checkExpressions finds every Get, Std:* function and property reference
// in an argument tree and checks it can resolve.
func checkExpressions(d *Definition, where string, v any, params map[string]bool) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				if p, ok := x["Get"].(string); ok {
					out = append(out, checkGet(d, where, p, params)...)
					return
				}
			}
			for k, el := range x {
				if strings.HasPrefix(k, "Std:") && k != "Std:Join" && k != "Std:JsonGet" {
					out = append(out, fmt.Sprintf("%s: function %s", where, k))
				}
				walk(el)
			}
		case []any:
			for _, el := range x {
				walk(el)
			}
		}
	}
	walk(v)
	return out
}

func checkGet(d *Definition, where, path string, params map[string]bool) []string {
	kind, rest, _ := strings.Cut(path, ".")
	switch kind {
	case "Parameters":
		if !params[rest] {
			return []string{fmt.Sprintf("%s: Get %s: no such parameter", where, path)}
		}
	case "Execution":
		if !executionVariables[rest] {
			return []string{fmt.Sprintf("%s: Get %s: execution variable %s", where, path, rest)}
		}
	case "Steps":
		name, prop, _ := strings.Cut(rest, ".")
		s := d.all[name]
		if s == nil {
			return []string{fmt.Sprintf("%s: Get %s: no step %s", where, path, name)}
		}
		segs, err := parsePath(prop)
		if err != nil {
			return []string{fmt.Sprintf("%s: Get %s: %v", where, path, err)}
		}
		if !stepProperties[s.Type][segs[0].key] {
			return []string{fmt.Sprintf("%s: Get %s: property %s of a %s step", where, path, segs[0].key, s.Type)}
		}
		if segs[0].key == "PropertyFiles" {
			if len(segs) != 2 || !hasPropertyFile(s, segs[1].key) {
				return []string{fmt.Sprintf("%s: Get %s: step %s has no such property file", where, path, name)}
			}
		}
	default:
		return []string{fmt.Sprintf("%s: Get %s", where, path)}
	}
	return nil
}

func hasPropertyFile(s *Step, name string) bool {
	for _, pf := range s.PropertyFiles {
		if pf.PropertyFileName == name {
			return true
		}
	}
	return false
}

// findCycle returns a dependency cycle as "A -> B -> A", or "".
func findCycle(d *Definition) string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var cycle string
	var visit func(string) bool
	visit = func(n string) bool {
		color[n] = grey
		stack = append(stack, n)
		s := d.all[n]
		if s != nil {
			for _, dep := range s.deps() {
				if d.all[dep] == nil {
					continue
				}
				switch color[dep] {
				case grey:
					i := len(stack) - 1
					for stack[i] != dep {
						i--
					}
					cycle = strings.Join(append(append([]string(nil), stack[i:]...), dep), " -> ")
					return true
				case white:
					if visit(dep) {
						return true
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	for _, n := range d.names() {
		if color[n] == white && visit(n) {
			return cycle
		}
	}
	return ""
}
