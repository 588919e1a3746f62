package prepare

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxExamples bounds the example rows kept per violated expectation, so the
// report stays short and memory stays bounded however bad the data is.
const maxExamples = 5

// Example is one offending row (or label) shown in a violation report.
type Example struct {
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	Text  string `json:"text,omitempty"`
	Label string `json:"label,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Violation is one expectation the dataset failed.
type Violation struct {
	Expectation string    `json:"expectation"`
	Message     string    `json:"message"`
	Count       int64     `json:"count"`
	Examples    []Example `json:"examples,omitempty"`
}

// tally counts offending rows and keeps the first few as examples.
type tally struct {
	count    int64
	examples []Example
}

func (t *tally) add(e Example) {
	t.count++
	if len(t.examples) < maxExamples {
		t.examples = append(t.examples, e)
	}
}

// shorten keeps reports readable: example texts are cut to 80 code points.
func shorten(s string) string {
	const limit = 80
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// checks accumulates the row-level expectation results during the first pass.
type checks struct {
	exp Expectations
	// prefix names the dataset in a multi-dataset step ("en.").
	prefix   string
	rows     int64 // records read from this dataset
	allowed  map[string]bool
	notNull  map[string]*tally
	tooShort tally
	tooLong  tally
	badLabel tally
	// badLabels records the distinct disallowed labels seen (up to a bound),
	// because the fix is usually to the allowed list or to one label.
	badLabels map[string]int64
}

func newChecks(exp Expectations) *checks {
	c := &checks{exp: exp, notNull: map[string]*tally{}, badLabels: map[string]int64{}}
	if len(exp.AllowedLabels) > 0 {
		c.allowed = make(map[string]bool, len(exp.AllowedLabels))
		for _, l := range exp.AllowedLabels {
			c.allowed[l] = true
		}
	}
	for _, f := range exp.NotNull {
		c.notNull[f] = &tally{}
	}
	return c
}

// nullRow records a row's null fields.
func (c *checks) nullRow(r *rawRow) {
	for _, f := range r.NullFields {
		c.notNull[f].add(Example{File: r.File, Line: r.Line, Text: shorten(r.Text), Label: r.Label})
	}
}

// row checks one row with a text and a label; text is the cleaned text.
func (c *checks) row(r *rawRow, text, label string) {
	if tl := c.exp.TextLength; tl != nil {
		n := utf8.RuneCountInString(text)
		ex := Example{File: r.File, Line: r.Line, Text: shorten(text), Label: label, Note: fmt.Sprintf("%d characters", n)}
		if tl.Min != nil && n < *tl.Min {
			c.tooShort.add(ex)
		}
		if tl.Max != nil && n > *tl.Max {
			c.tooLong.add(ex)
		}
	}
	if c.allowed != nil && !c.allowed[label] {
		c.badLabel.add(Example{File: r.File, Line: r.Line, Text: shorten(text), Label: label})
		if _, ok := c.badLabels[label]; ok || len(c.badLabels) < 100 {
			c.badLabels[label]++
		}
	}
}

// survey is what the first pass learned about the whole dataset.
type survey struct {
	rows          int64 // records read
	inputSHA256   string
	validRows     int64 // records with a text and a label
	duplicates    tally // rows repeating an earlier row's cleaned text
	conflicts     tally // texts seen with more than one label
	badSplits     tally // rows whose split.field value names no split
	keptPerLabel  map[string]int64
	labelsInOrder []string
}

// violations evaluates every configured expectation against the first pass.
// The result is in a fixed order so the report is deterministic.
func (c *checks) violations(s *survey) []Violation {
	var out []Violation
	e := c.exp
	defer func() {
		for i := range out {
			out[i].Expectation = c.prefix + out[i].Expectation
		}
	}()
	if e.MinRows != nil && c.rows < *e.MinRows {
		out = append(out, Violation{Expectation: "min_rows", Count: c.rows,
			Message: fmt.Sprintf("the input has %d rows; at least %d are expected", c.rows, *e.MinRows)})
	}
	if e.MaxRows != nil && c.rows > *e.MaxRows {
		out = append(out, Violation{Expectation: "max_rows", Count: c.rows,
			Message: fmt.Sprintf("the input has %d rows; at most %d are expected", c.rows, *e.MaxRows)})
	}
	for _, f := range e.NotNull {
		if t := c.notNull[f]; t.count > 0 {
			out = append(out, Violation{Expectation: "not_null", Count: t.count, Examples: t.examples,
				Message: fmt.Sprintf("%d rows have no value for %q (absent, null or blank)", t.count, f)})
		}
	}
	if tl := e.TextLength; tl != nil {
		if c.tooShort.count > 0 {
			out = append(out, Violation{Expectation: "text_length.min", Count: c.tooShort.count, Examples: c.tooShort.examples,
				Message: fmt.Sprintf("%d rows have a cleaned text shorter than %d characters", c.tooShort.count, *tl.Min)})
		}
		if c.tooLong.count > 0 {
			out = append(out, Violation{Expectation: "text_length.max", Count: c.tooLong.count, Examples: c.tooLong.examples,
				Message: fmt.Sprintf("%d rows have a cleaned text longer than %d characters", c.tooLong.count, *tl.Max)})
		}
	}
	if c.badLabel.count > 0 {
		labels := make([]string, 0, len(c.badLabels))
		for l := range c.badLabels {
			labels = append(labels, fmt.Sprintf("%q (%d)", l, c.badLabels[l]))
		}
		sort.Strings(labels)
		out = append(out, Violation{Expectation: "allowed_labels", Count: c.badLabel.count, Examples: c.badLabel.examples,
			Message: fmt.Sprintf("%d rows have a label outside allowed_labels: %s", c.badLabel.count, strings.Join(labels, ", "))})
	}
	if r := e.MaxDuplicateRatio; r != nil && s.validRows > 0 {
		ratio := float64(s.duplicates.count) / float64(s.validRows)
		if ratio > *r {
			out = append(out, Violation{Expectation: "max_duplicate_ratio", Count: s.duplicates.count, Examples: s.duplicates.examples,
				Message: fmt.Sprintf("%d of %d rows (%.4f) repeat an earlier row's cleaned text; at most %.4f is allowed", s.duplicates.count, s.validRows, ratio, *r)})
		}
	}
	if m := e.MinExamplesPerLabel; m != nil {
		var few tally
		for _, l := range s.labelsInOrder {
			if n := s.keptPerLabel[l]; n < *m {
				few.add(Example{Label: l, Note: fmt.Sprintf("%d examples", n)})
			}
		}
		for _, l := range e.AllowedLabels {
			if _, seen := s.keptPerLabel[l]; !seen && *m > 0 {
				few.add(Example{Label: l, Note: "0 examples"})
			}
		}
		if few.count > 0 {
			out = append(out, Violation{Expectation: "min_examples_per_label", Count: few.count, Examples: few.examples,
				Message: fmt.Sprintf("%d labels have fewer than %d examples after cleaning and de-duplication", few.count, *m)})
		}
	}
	return out
}
