package localrun

import (
	"fmt"
	"strings"
)

// ConditionResult is one evaluated condition of a Condition step: what
// was compared, and the verdict.
type ConditionResult struct {
	Type    string            `json:"type"`
	Left    any               `json:"left,omitempty"`
	Right   any               `json:"right,omitempty"`
	What    string            `json:"what,omitempty"`
	Outcome bool              `json:"outcome"`
	Nested  []ConditionResult `json:"nested,omitempty"`
}

// comparisons are SageMaker's binary conditions.
var comparisons = map[string]string{
	"Equals":               "==",
	"GreaterThan":          ">",
	"GreaterThanOrEqualTo": ">=",
	"LessThan":             "<",
	"LessThanOrEqualTo":    "<=",
}

// evalConditions evaluates a Condition step's list: all must hold (the
// list is a conjunction), as SageMaker's ConditionStep defines it. Every
// condition is evaluated, so the verdict shows each measured value.
func evalConditions(e evaluator, conds []any) (bool, []ConditionResult, error) {
	all := true
	var out []ConditionResult
	for _, c := range conds {
		r, err := evalCondition(e, c)
		if err != nil {
			return false, out, err
		}
		all = all && r.Outcome
		out = append(out, r)
	}
	return all, out, nil
}

func evalCondition(e evaluator, c any) (ConditionResult, error) {
	m, ok := c.(map[string]any)
	if !ok {
		return ConditionResult{}, fmt.Errorf("a condition is a %T, want an object", c)
	}
	typ := str(m["Type"])
	r := ConditionResult{Type: typ}
	switch {
	case comparisons[typ] != "":
		left, err := e.eval(m["LeftValue"])
		if err != nil {
			return r, err
		}
		right, err := e.eval(m["RightValue"])
		if err != nil {
			return r, err
		}
		r.Left, r.Right = left, right
		r.What = describeOperand(m["LeftValue"])
		r.Outcome, err = compare(typ, left, right)
		return r, err
	case typ == "In":
		q, err := e.eval(m["QueryValue"])
		if err != nil {
			return r, err
		}
		vals, err := e.eval(m["Values"])
		if err != nil {
			return r, err
		}
		r.Left, r.Right, r.What = q, vals, describeOperand(m["QueryValue"])
		for _, v := range asList(vals) {
			if eq, _ := compare("Equals", q, v); eq {
				r.Outcome = true
			}
		}
		return r, nil
	case typ == "Not":
		inner, err := evalCondition(e, m["Expression"])
		if err != nil {
			return r, err
		}
		r.Nested = []ConditionResult{inner}
		r.Outcome = !inner.Outcome
		return r, nil
	case typ == "Or":
		for _, sub := range asList(m["Conditions"]) {
			inner, err := evalCondition(e, sub)
			if err != nil {
				return r, err
			}
			r.Nested = append(r.Nested, inner)
			r.Outcome = r.Outcome || inner.Outcome
		}
		return r, nil
	}
	return r, fmt.Errorf("condition type %q is not supported", typ)
}

// compare applies a comparison: numbers (of any JSON or parameter type)
// compare by value; strings and booleans only for equality, as SageMaker's
// conditions take them. Comparing a number with a string is an error
// rather than a silent false: it is a mistake in the pipeline.
func compare(typ string, left, right any) (bool, error) {
	lf, lnum := number(left)
	rf, rnum := number(right)
	if lnum && rnum {
		switch typ {
		case "Equals":
			return lf == rf, nil
		case "GreaterThan":
			return lf > rf, nil
		case "GreaterThanOrEqualTo":
			return lf >= rf, nil
		case "LessThan":
			return lf < rf, nil
		case "LessThanOrEqualTo":
			return lf <= rf, nil
		}
	}
	if typ == "Equals" {
		switch l := left.(type) {
		case string:
			r, ok := right.(string)
			if ok {
				return l == r, nil
			}
		case bool:
			r, ok := right.(bool)
			if ok {
				return l == r, nil
			}
		}
	}
	return false, fmt.Errorf("%s cannot compare %s with %s", typ, describeValue(left), describeValue(right))
}

func describeValue(v any) string {
	if _, ok := number(v); ok {
		return fmt.Sprintf("the number %v", v)
	}
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}

// describeOperand names what a condition measured, for the verdict line:
// the JsonGet path or the Get path.
func describeOperand(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if g, ok := m["Get"].(string); ok {
		return g
	}
	if j, ok := m["Std:JsonGet"].(map[string]any); ok {
		p := str(j["Path"])
		// "multiclass_classification_metrics.accuracy.value" -> accuracy
		parts := strings.Split(p, ".")
		if len(parts) >= 2 && parts[len(parts)-1] == "value" {
			return parts[len(parts)-2]
		}
		return p
	}
	return ""
}
