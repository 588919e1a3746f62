package defcheck

import "fmt"

type propertyFile struct {
	name, output string
	ptr          string
}

func propertyFiles(s *step) []propertyFile {
	list, _ := s.obj["PropertyFiles"].([]any)
	var out []propertyFile
	for i, v := range list {
		obj, _ := v.(map[string]any)
		name, _ := obj["PropertyFileName"].(string)
		output, _ := obj["OutputName"].(string)
		out = append(out, propertyFile{name: name, output: output, ptr: child(s.ptr, "PropertyFiles", index(i))})
	}
	return out
}

// propertyFileProblems checks that property file names are unique within their step and that each
// reads an output the processing step actually writes (the service looks the file up in that
// output's S3 location).
func propertyFileProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		files := propertyFiles(s)
		if len(files) == 0 {
			continue
		}
		outputs, literal := s.processingOutputs()
		seen := map[string]bool{}
		for _, f := range files {
			if f.name != "" && seen[f.name] {
				out = append(out, Problem{Path: child(f.ptr, "PropertyFileName"),
					Message: fmt.Sprintf("property file name %q is used twice in step %q", f.name, s.name)})
			}
			seen[f.name] = true
			if f.output != "" && literal && !outputs[f.output] {
				out = append(out, Problem{Path: child(f.ptr, "OutputName"),
					Message: fmt.Sprintf("property file %q reads output %q, but step %q has no such output in ProcessingOutputConfig.Outputs", f.name, f.output, s.name)})
			}
		}
	}
	return out
}
