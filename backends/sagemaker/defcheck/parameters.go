package defcheck

import (
	"fmt"
	"slices"
)

// parameterProblems checks that a String parameter's DefaultValue is one of its EnumValues: the
// service would otherwise start every execution that relies on the default with a value the
// pipeline itself forbids.
func parameterProblems(d *definition) []Problem {
	var out []Problem
	list, _ := d.root["Parameters"].([]any)
	for i, v := range list {
		obj, _ := v.(map[string]any)
		enum, ok := obj["EnumValues"].([]any)
		if !ok {
			continue
		}
		def, ok := obj["DefaultValue"].(string)
		if !ok {
			continue
		}
		if !slices.Contains(enum, any(def)) {
			out = append(out, Problem{Path: pointer("Parameters", index(i), "DefaultValue"),
				Message: fmt.Sprintf("DefaultValue %q is not one of the parameter's EnumValues", def)})
		}
	}
	return out
}
