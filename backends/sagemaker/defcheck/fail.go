package defcheck

import "fmt"

// failStepProblems requires every Fail step to carry an ErrorMessage: it is the only thing the
// execution shows about why the pipeline stopped.
func failStepProblems(d *definition) []Problem {
	var out []Problem
	for _, s := range d.steps {
		if s.typ != "Fail" {
			continue
		}
		args := s.arguments()
		msg, present := args["ErrorMessage"]
		switch {
		case !present || msg == nil:
			out = append(out, Problem{Path: child(s.ptr, "Arguments"),
				Message: fmt.Sprintf("Fail step %q has no ErrorMessage; say why the pipeline stopped", s.name)})
		case msg == "":
			out = append(out, Problem{Path: child(s.ptr, "Arguments", "ErrorMessage"),
				Message: fmt.Sprintf("Fail step %q has an empty ErrorMessage; say why the pipeline stopped", s.name)})
		}
	}
	return out
}
