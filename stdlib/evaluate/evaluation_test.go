package evaluate

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// gatePaths is SPEC.md section 4's table: every gate metric must resolve.
var gatePaths = map[string]string{
	"accuracy":               "multiclass_classification_metrics.accuracy.value",
	"macro_f1":               "multiclass_classification_metrics.macro_f1.value",
	"weighted_f1":            "multiclass_classification_metrics.weighted_f1.value",
	"weighted_precision":     "multiclass_classification_metrics.weighted_precision.value",
	"weighted_recall":        "multiclass_classification_metrics.weighted_recall.value",
	"min_per_class_f1":       "multiclass_classification_metrics.min_per_class_f1.value",
	"out_of_scope_recall":    "multiclass_classification_metrics.out_of_scope_recall.value",
	"out_of_scope_precision": "multiclass_classification_metrics.out_of_scope_precision.value",
	"latency_p50_ms":         "latency_metrics.p50_ms.value",
	"latency_p95_ms":         "latency_metrics.p95_ms.value",
}

func lookup(doc any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil, false
		}
		if doc, ok = m[k]; !ok {
			return nil, false
		}
	}
	return doc, true
}

func TestEvaluationJSON(t *testing.T) {
	m := Compute(outcomes("a", "a", "a", "b", "oos", "oos", "b", "b"), "oos")
	ev := NewEvaluation(m, []float64{2, 1, 4, 3}, "v7")
	data, err := ev.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"accuracy": 0.75, "out_of_scope_recall": 1, "out_of_scope_precision": 1,
		"latency_p50_ms": 2, "latency_p95_ms": 4, "min_per_class_f1": 2.0 / 3,
	}
	for metric, path := range gatePaths {
		v, ok := lookup(doc, path)
		if !ok {
			t.Errorf("gate metric %s: %s missing", metric, path)
			continue
		}
		f, ok := v.(float64)
		if !ok {
			t.Errorf("gate metric %s: %s is %T, want a number", metric, path, v)
		}
		if w, ok := want[metric]; ok && !near(f, w) {
			t.Errorf("gate metric %s = %v, want %v", metric, f, w)
		}
		if strings.HasPrefix(path, "multiclass") {
			sd, _ := lookup(doc, strings.TrimSuffix(path, "value")+"standard_deviation")
			if sd != "NaN" {
				t.Errorf("%s standard_deviation = %v, want \"NaN\"", metric, sd)
			}
		}
	}
	for _, path := range []string{"per_class_metrics.a.support", "multiclass_classification_metrics.confusion_matrix.a.b", "examples", "model_version"} {
		if _, ok := lookup(doc, path); !ok {
			t.Errorf("%s missing", path)
		}
	}
	// Key order is the contract's, so the file diffs cleanly between runs.
	s := string(data)
	order := []string{`"multiclass_classification_metrics"`, `"accuracy"`, `"macro_f1"`, `"weighted_f1"`, `"weighted_precision"`,
		`"weighted_recall"`, `"min_per_class_f1"`, `"out_of_scope_recall"`, `"out_of_scope_precision"`, `"confusion_matrix"`,
		`"latency_metrics"`, `"p50_ms"`, `"p95_ms"`, `"per_class_metrics"`, `"most_confused"`, `"examples"`, `"model_version"`}
	last := -1
	for _, k := range order {
		i := strings.Index(s, k)
		if i <= last {
			t.Errorf("key %s out of order", k)
		}
		last = i
	}
	again, _ := NewEvaluation(m, []float64{2, 1, 4, 3}, "v7").MarshalIndent()
	if string(again) != s {
		t.Error("two encodings of the same evaluation differ")
	}
}

func TestEvaluationWithoutErrorsListsNoConfusion(t *testing.T) {
	data, err := NewEvaluation(Compute(outcomes("a", "a"), "oos"), nil, "v").MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"most_confused": []`) {
		t.Errorf("most_confused is not an empty list:\n%s", data)
	}
}

func TestConfusionSVG(t *testing.T) {
	var pairs []string
	// 14 labels, more than the heat map shows; "<x&y>" needs escaping.
	labels := []string{"<x&y>", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"}
	for i, l := range labels {
		pairs = append(pairs, l, l, l, labels[(i+1)%len(labels)])
	}
	pairs = append(pairs, "b", "<x&y>", "b", "<x&y>")
	m := Compute(outcomes(pairs...), "oos")
	svg := ConfusionSVG(m)
	dec := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("confusion.svg is not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	if want := 1 + maxHeatLabels*maxHeatLabels; rects != want {
		t.Errorf("%d rects, want %d (background and a %dx%d grid)", rects, want, maxHeatLabels, maxHeatLabels)
	}
	if !strings.Contains(svg, "&lt;x&amp;y&gt;") {
		t.Error("label not escaped")
	}
	if svg != ConfusionSVG(m) {
		t.Error("two renderings differ")
	}
	report := Report(NewEvaluation(m, []float64{1}, "v"), m, "oos", []string{"x", "y"})
	for _, want := range []string{"| b | <x&y> | 2 |", "no out-of-scope label", "confusion.svg", "| accuracy |", "2 label(s) the model cannot predict (not in its labels.json): `x`, `y`"} {
		if !strings.Contains(report, want) {
			t.Errorf("report.md lacks %q:\n%s", want, report)
		}
	}
}

// TestEvaluationWithoutOutOfScope: without out-of-scope examples (or label)
// the report leaves the out-of-scope metrics out instead of writing zeros,
// and still has macro_f1.
func TestEvaluationWithoutOutOfScope(t *testing.T) {
	for _, oos := range []string{"oos", ""} {
		m := Compute(outcomes("a", "a", "a", "b", "b", "b"), oos)
		data, err := NewEvaluation(m, []float64{1}, "v1").MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for _, metric := range []string{"out_of_scope_recall", "out_of_scope_precision"} {
			if _, ok := lookup(doc, "multiclass_classification_metrics."+metric); ok {
				t.Errorf("oos label %q: %s is in the report without out-of-scope examples", oos, metric)
			}
		}
		if _, ok := lookup(doc, gatePaths["macro_f1"]); !ok {
			t.Errorf("oos label %q: no macro_f1", oos)
		}
	}
}
