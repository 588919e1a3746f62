package prepare

import (
	"fmt"
	"sort"
	"strings"
)

// mdCell escapes a value for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

func where(e Example) string {
	if e.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", e.File, e.Line)
}

// failureReport renders the violated expectations, each with its count and
// example rows, and the figures needed to judge them.
func failureReport(cfg *Config, files []string, sv *survey, vs []Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# prepare: dataset %q failed %d expectation(s)\n\n", datasetNames(cfg), len(vs))
	fmt.Fprintf(&b, "Input: %s (%d rows, %d with a text and a label, %d duplicates).\n", strings.Join(files, ", "), sv.rows, sv.validRows, sv.duplicates.count)
	for _, v := range vs {
		fmt.Fprintf(&b, "\n## %s: %d\n\n%s.\n", v.Expectation, v.Count, v.Message)
		if len(v.Examples) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n| where | label | text | note |\n| --- | --- | --- | --- |\n")
		for _, e := range v.Examples {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", where(e), mdCell(e.Label), mdCell(e.Text), mdCell(e.Note))
		}
		if v.Count > int64(len(v.Examples)) && !strings.HasSuffix(v.Expectation, "min_rows") && !strings.HasSuffix(v.Expectation, "max_rows") {
			fmt.Fprintf(&b, "\n(first %d of %d shown)\n", len(v.Examples), v.Count)
		}
	}
	b.WriteString("\nFix the data or relax the expectation in the dataset's `expectations` block.\n")
	return b.String()
}

// successReport is the short human summary beside stats.json.
func successReport(st *Stats, sv *survey) string {
	var b strings.Builder
	in := st.Input
	fmt.Fprintf(&b, "# prepare: dataset %q\n\n", st.Dataset)
	fmt.Fprintf(&b, "All expectations hold. Input: %s.\n\n", strings.Join(in.Files, ", "))
	fmt.Fprintf(&b, "| rows read | without text or label | duplicates | conflicting texts (rows) | kept |\n| ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d (%d) | %d |\n\n", in.Rows, in.NullRows, in.DuplicateRows, in.ConflictingTexts, in.ConflictingRows, in.KeptRows)
	if st.Split.Field != "" {
		fmt.Fprintf(&b, "Split as each row's %q field says:\n\n", st.Split.Field)
	} else {
		fmt.Fprintf(&b, "Split (seed %d, stratified: %t):\n\n", st.Split.Seed, st.Split.Stratify)
	}
	fmt.Fprintf(&b, "| split | rows | labels | chars p50 / p95 / max | words p50 / p95 / max |\n| --- | ---: | ---: | --- | --- |\n")
	for i, name := range splitNames {
		ss := st.Splits.at(i)
		fmt.Fprintf(&b, "| %s | %d | %d | %d / %d / %d | %d / %d / %d |\n", name, ss.Rows, len(ss.Labels),
			ss.LengthChars.P50, ss.LengthChars.P95, ss.LengthChars.Max, ss.LengthWords.P50, ss.LengthWords.P95, ss.LengthWords.Max)
	}
	labels := make([]string, 0, len(st.Labels))
	for l := range st.Labels {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool {
		a, c := st.Labels[labels[i]].Total, st.Labels[labels[j]].Total
		return a < c || (a == c && labels[i] < labels[j])
	})
	if len(labels) > 5 {
		labels = labels[:5]
	}
	fmt.Fprintf(&b, "\n%d labels; the smallest: ", len(st.Labels))
	for i, l := range labels {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "`%s` (%d)", l, st.Labels[l].Total)
	}
	b.WriteString(".\n")
	if len(sv.conflicts.examples) > 0 {
		b.WriteString("\nTexts with conflicting labels (dropped):\n\n| where | label | text | note |\n| --- | --- | --- | --- |\n")
		for _, e := range sv.conflicts.examples {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", where(e), mdCell(e.Label), mdCell(e.Text), mdCell(e.Note))
		}
	}
	return b.String()
}

// datasetNames names the step's input: one dataset, or several joined by "+".
func datasetNames(cfg *Config) string {
	var names []string
	for _, d := range cfg.inputs() {
		names = append(names, d.Name)
	}
	return strings.Join(names, "+")
}
