package localrun

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Execution variables the executor provides (Get "Execution.NAME").
var executionVariables = map[string]bool{
	"PipelineExecutionId":  true,
	"PipelineExecutionArn": true,
	"PipelineName":         true,
	"PipelineArn":          true,
}

// propertyFileRef is what Get "Steps.S.PropertyFiles.P" evaluates to:
// the file on disk that Std:JsonGet reads.
type propertyFileRef struct {
	step, name, path string
}

// resolver answers the Get paths of an execution.
type resolver interface {
	parameter(name string) (any, bool)
	execution(name string) string
	// stepProperty evaluates Steps.NAME.REST.
	stepProperty(step string, path []segment) (any, error)
}

// evaluator evaluates argument trees. With symbolic set, execution
// variables stay as "{Execution.NAME}" text: the cache key of a step must
// not change from one execution to the next.
type evaluator struct {
	r        resolver
	symbolic bool
}

// eval evaluates every Get, Std:Join and Std:JsonGet in v.
func (e evaluator) eval(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if p, ok := x["Get"]; ok {
				path, ok := p.(string)
				if !ok {
					return nil, fmt.Errorf("a Get of a %T, want a property path", p)
				}
				return e.get(path)
			}
			if j, ok := x["Std:Join"]; ok {
				return e.join(j)
			}
			if j, ok := x["Std:JsonGet"]; ok {
				return e.jsonGet(j)
			}
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			ev, err := e.eval(el)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			ev, err := e.eval(el)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}

func (e evaluator) get(path string) (any, error) {
	kind, rest, _ := strings.Cut(path, ".")
	switch kind {
	case "Parameters":
		v, ok := e.r.parameter(rest)
		if !ok {
			return nil, fmt.Errorf("reading Get %s: no such parameter", path)
		}
		return v, nil
	case "Execution":
		if !executionVariables[rest] {
			return nil, fmt.Errorf("reading Get %s: execution variable not supported locally", path)
		}
		if e.symbolic {
			return "{Execution." + rest + "}", nil
		}
		return e.r.execution(rest), nil
	case "Steps":
		name, prop, _ := strings.Cut(rest, ".")
		segs, err := parsePath(prop)
		if err != nil {
			return nil, fmt.Errorf("reading Get %s: %w", path, err)
		}
		return e.r.stepProperty(name, segs)
	}
	return nil, fmt.Errorf("reading Get %s: unknown root %q (want Parameters, Execution or Steps)", path, kind)
}

func (e evaluator) join(v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Std:Join of a %T, want {On, Values}", v)
	}
	on, _ := m["On"].(string)
	var parts []string
	for _, el := range asList(m["Values"]) {
		ev, err := e.eval(el)
		if err != nil {
			return nil, err
		}
		s, err := render(ev)
		if err != nil {
			return nil, fmt.Errorf("Std:Join: %w", err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, on), nil
}

func (e evaluator) jsonGet(v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Std:JsonGet of a %T, want {PropertyFile, Path}", v)
	}
	pf, err := e.eval(m["PropertyFile"])
	if err != nil {
		return nil, err
	}
	ref, ok := pf.(propertyFileRef)
	if !ok {
		return nil, fmt.Errorf("Std:JsonGet: PropertyFile is not a Get of Steps.NAME.PropertyFiles.FILE")
	}
	path, _ := m["Path"].(string)
	if e.symbolic {
		return "{JsonGet " + ref.step + "." + ref.name + " " + path + "}", nil
	}
	b, err := os.ReadFile(ref.path)
	if err != nil {
		return nil, fmt.Errorf("Std:JsonGet: property file %s of step %s: %w", ref.name, ref.step, err)
	}
	doc, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("Std:JsonGet: property file %s of step %s (%s): %w", ref.name, ref.step, ref.path, err)
	}
	got, err := jsonPath(doc, path)
	if err != nil {
		return nil, fmt.Errorf("Std:JsonGet %s in %s of step %s: %w", path, ref.name, ref.step, err)
	}
	return got, nil
}

// jsonPath walks a JsonPath as SageMaker's JsonGet takes it: dotted keys
// with [N] list indexes, e.g. "metrics.accuracy.value" or "rows[0].x".
func jsonPath(doc any, path string) (any, error) {
	segs, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, s := range segs {
		switch {
		case s.index != nil:
			l, ok := cur.([]any)
			if !ok || *s.index < 0 || *s.index >= len(l) {
				return nil, fmt.Errorf("no element [%d]", *s.index)
			}
			cur = l[*s.index]
		default:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%q: not an object", s.key)
			}
			v, ok := m[s.key]
			if !ok {
				return nil, fmt.Errorf("no key %q", s.key)
			}
			cur = v
		}
	}
	return cur, nil
}

// segment is one step of a property path: a key (Name, or ['Name']) or a
// list index ([0]).
type segment struct {
	key     string
	index   *int
	bracket bool
}

func (s segment) String() string {
	switch {
	case s.index != nil:
		return fmt.Sprintf("[%d]", *s.index)
	case s.bracket:
		return "['" + s.key + "']"
	}
	return s.key
}

// parsePath splits a property path: a.b['c'].d[0].
func parsePath(p string) ([]segment, error) {
	var out []segment
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", p)
			}
			inner := p[i+1 : i+end]
			i += end + 1
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				out = append(out, segment{key: inner[1 : len(inner)-1], bracket: true})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil {
				return nil, fmt.Errorf("path %q: [%s] is neither an index nor a quoted name", p, inner)
			}
			out = append(out, segment{index: &n})
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			out = append(out, segment{key: p[i:j]})
			i = j
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return out, nil
}

// walkProperties follows a property path through a step's properties (the
// Describe*Job response shape): ['Name'] on a list picks the element whose
// *Name field (OutputName, ChannelName, MetricName) is Name.
func walkProperties(doc any, segs []segment) (any, error) {
	cur := doc
	for i, s := range segs {
		switch {
		case s.index != nil:
			l, ok := cur.([]any)
			if !ok || *s.index < 0 || *s.index >= len(l) {
				return nil, fmt.Errorf("%s: no element %s", pathString(segs[:i]), s)
			}
			cur = l[*s.index]
		case s.bracket:
			if l, ok := cur.([]any); ok {
				var found any
				for _, el := range l {
					m, _ := el.(map[string]any)
					for k, v := range m {
						if strings.HasSuffix(k, "Name") && v == s.key {
							found = el
						}
					}
				}
				if found == nil {
					return nil, fmt.Errorf("%s: no element named %q", pathString(segs[:i]), s.key)
				}
				cur = found
				continue
			}
			fallthrough
		default:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an object", pathString(segs[:i+1]))
			}
			v, ok := m[s.key]
			if !ok {
				return nil, fmt.Errorf("%s: no such property", pathString(segs[:i+1]))
			}
			cur = v
		}
	}
	return cur, nil
}

func pathString(segs []segment) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 && s.index == nil && !s.bracket {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// render turns a primitive into the text Std:Join puts in a string.
func render(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return pyFloat(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("cannot join a %T", v)
}

// number converts a primitive to a float64 when it is numeric.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// pyFloat formats a float as Python's repr does (the training toolkit
// renders decoded hyperparameters with str()).
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.ContainsAny(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, exp)
}
