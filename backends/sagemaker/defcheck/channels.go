package defcheck

import "fmt"

// channelProblems checks that the named inputs and outputs of a job step are unique: the job APIs
// refuse duplicates, and a reference such as ProcessingOutputConfig.Outputs['train'] would be
// ambiguous.
func channelProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		args := s.arguments()
		switch s.typ {
		case "Processing":
			inputs, _ := args["ProcessingInputs"].([]any)
			out = append(out, uniqueNames(s, inputs, child(s.ptr, "Arguments", "ProcessingInputs"), "InputName", "processing input")...)
			cfg, _ := args["ProcessingOutputConfig"].(map[string]any)
			outputs, _ := cfg["Outputs"].([]any)
			out = append(out, uniqueNames(s, outputs, child(s.ptr, "Arguments", "ProcessingOutputConfig", "Outputs"), "OutputName", "processing output")...)
		case "Training":
			channels, _ := args["InputDataConfig"].([]any)
			out = append(out, uniqueNames(s, channels, child(s.ptr, "Arguments", "InputDataConfig"), "ChannelName", "training channel")...)
		}
	}
	return out
}

func uniqueNames(s *step, list []any, ptr, key, what string) []Problem {
	var out []Problem
	first := map[string]int{}
	for i, v := range list {
		obj, _ := v.(map[string]any)
		name, ok := obj[key].(string)
		if !ok {
			continue
		}
		if j, dup := first[name]; dup {
			out = append(out, Problem{Path: child(ptr, index(i), key),
				Message: fmt.Sprintf("step %q has two %ss named %q (the other is at %s)", s.name, what, name, child(ptr, index(j)))})
			continue
		}
		first[name] = i
	}
	return out
}
