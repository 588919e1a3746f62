package evaluate

import (
	"fmt"
	"sort"
	"strings"
)

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Report renders report.md: the gate metrics first, then the weakest labels
// and the confusions behind them.
// unknown lists the test labels the model cannot predict.
func Report(ev *Evaluation, m *Metrics, oos string, unknown []string) string {
	var b strings.Builder
	c := ev.Classification
	fmt.Fprintf(&b, "# Evaluation of model %s\n\n", ev.ModelVersion)
	fmt.Fprintf(&b, "%d test examples, %d labels. Latency per example (batch of one): p50 %.3f ms, p95 %.3f ms.\n\n",
		ev.Examples, len(m.Labels), ev.Latency.P50.Value, ev.Latency.P95.Value)
	b.WriteString("| metric | value |\n| --- | ---: |\n")
	for _, r := range []struct {
		name string
		v    float64
	}{
		{"accuracy", c.Accuracy.Value}, {"macro_f1", c.MacroF1.Value}, {"weighted_f1", c.WeightedF1.Value},
		{"weighted_precision", c.WeightedPrecision.Value}, {"weighted_recall", c.WeightedRecall.Value},
		{"min_per_class_f1", c.MinPerClassF1.Value},
	} {
		fmt.Fprintf(&b, "| %s | %.4f |\n", r.name, r.v)
	}
	if m.HasOutOfScope {
		fmt.Fprintf(&b, "| in_scope_accuracy | %.4f |\n| out_of_scope_recall | %.4f |\n| out_of_scope_precision | %.4f |\n", c.InScopeAccuracy.Value, c.OutOfScopeRecall.Value, c.OutOfScopePrecision.Value)
	} else {
		fmt.Fprintf(&b, "\nThe test data has no out-of-scope label (%q): the out-of-scope metrics are reported as 0.\n", oos)
	}

	if len(unknown) > 0 {
		fmt.Fprintf(&b, "\n**Warning:** the test data has %d label(s) the model cannot predict (not in its labels.json): %s. "+
			"Every example of them counts as an error; check the test set and the label names.\n", len(unknown), "`"+strings.Join(unknown, "`, `")+"`")
	}
	labels := append([]string(nil), m.Labels...)
	sort.SliceStable(labels, func(i, j int) bool { return ev.PerClass[labels[i]].F1 < ev.PerClass[labels[j]].F1 })
	b.WriteString("\n## Per label, weakest first\n\n| label | precision | recall | f1 | support |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, l := range labels {
		p := ev.PerClass[l]
		fmt.Fprintf(&b, "| %s | %.4f | %.4f | %.4f | %d |\n", cell(l), p.Precision, p.Recall, p.F1, p.Support)
	}
	b.WriteString("\n## Most confused (actual → predicted)\n\n")
	if len(ev.MostConfused) == 0 {
		b.WriteString("No example was misclassified.\n")
	} else {
		b.WriteString("| actual | predicted | count |\n| --- | --- | ---: |\n")
		for _, p := range ev.MostConfused {
			fmt.Fprintf(&b, "| %s | %s | %d |\n", cell(p.Actual), cell(p.Predicted), p.Count)
		}
	}
	b.WriteString("\n![confusion among the most confused labels](confusion.svg)\n")
	return b.String()
}
