// Package prepare implements the pipeline's prepare step: it reads a raw
// labelled text dataset (JSONL or CSV), checks the dataset's expectations,
// cleans and de-duplicates the texts and writes a seeded, stratified
// train/validation/test split with its statistics (SPEC.md section 2.1).
//
// The step streams: it reads the input twice and keeps only a fixed-size
// digest per distinct text plus per-label counters, so memory stays bounded
// on inputs of millions of rows.
package prepare

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Config is the prepare.json the compiler writes (SPEC.md section 2.1).
type Config struct {
	// Dataset is the input of a one-dataset step; Datasets, when given,
	// lists several (a union), each read from --input/<name>/.
	Dataset  DatasetConfig   `json:"dataset,omitzero"`
	Datasets []DatasetConfig `json:"datasets,omitempty"`
	Cleaning CleaningConfig  `json:"cleaning"`
	Split    SplitConfig     `json:"split"`
}

// inputs are the datasets the step reads: Datasets, or the one Dataset.
func (c *Config) inputs() []DatasetConfig {
	if len(c.Datasets) > 0 {
		return c.Datasets
	}
	return []DatasetConfig{c.Dataset}
}

// DatasetConfig describes the raw data's layout and what it must satisfy.
type DatasetConfig struct {
	Name         string       `json:"name"`
	Format       string       `json:"format"`
	TextField    string       `json:"text_field"`
	LabelField   string       `json:"label_field"`
	Expectations Expectations `json:"expectations"`
	// LabelMap renames labels as read (after cleaning), so datasets that
	// spell a label differently join under one name.
	LabelMap map[string]string `json:"label_map,omitempty"`
}

// Expectations are the checks a dataset must pass. Every field is optional:
// a nil pointer or empty list is not checked.
type Expectations struct {
	MinRows             *int64      `json:"min_rows,omitempty"`
	MaxRows             *int64      `json:"max_rows,omitempty"`
	NotNull             []string    `json:"not_null,omitempty"`
	TextLength          *LengthSpan `json:"text_length,omitempty"`
	AllowedLabels       []string    `json:"allowed_labels,omitempty"`
	MaxDuplicateRatio   *float64    `json:"max_duplicate_ratio,omitempty"`
	MinExamplesPerLabel *int64      `json:"min_examples_per_label,omitempty"`
}

// LengthSpan bounds the cleaned text's length in Unicode code points. A nil
// bound is not checked.
type LengthSpan struct {
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
}

// CleaningConfig selects the text normalisations applied before
// de-duplication and length checks.
type CleaningConfig struct {
	UnicodeNFC         bool `json:"unicode_nfc"`
	CollapseWhitespace bool `json:"collapse_whitespace"`
	Lowercase          bool `json:"lowercase"`
	Deduplicate        bool `json:"deduplicate"`
}

// SplitConfig gives the split fractions and the seed that makes the split
// reproducible, or Field: the row field that holds each row's predefined
// split ("train", "validation" or "test"), for datasets that come split.
type SplitConfig struct {
	Field      string  `json:"field,omitempty"`
	Train      float64 `json:"train"`
	Validation float64 `json:"validation"`
	Test       float64 `json:"test"`
	Stratify   bool    `json:"stratify"`
	Seed       int64   `json:"seed"`
}

// Input formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// LoadConfig reads and validates a prepare.json file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading prepare config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("prepare config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes a prepare.json document strictly (unknown keys are
// errors, so a misspelled expectation is not silently ignored) and validates
// it.
func ParseConfig(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w (see SPEC.md section 2.1 for the layout)", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON object")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Validate reports every problem with the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Datasets) > 0 && c.Dataset.Name != "" {
		bad("give dataset or datasets, not both")
	}
	names := map[string]bool{}
	for _, d := range c.Datasets {
		if d.Name == "" || strings.ContainsAny(d.Name, "/\\") || d.Name == "." || d.Name == ".." {
			bad("datasets: %q is not a usable name (it is the input subdirectory)", d.Name)
		}
		if names[d.Name] {
			bad("datasets: %q is listed twice", d.Name)
		}
		names[d.Name] = true
	}
	for _, d := range c.inputs() {
		errs = append(errs, validateDataset(d)...)
	}
	s := c.Split
	if s.Field != "" {
		if s.Train != 0 || s.Validation != 0 || s.Test != 0 {
			bad("split.field %q and split fractions together; the rows' field chooses the split, so give field or the fractions, not both", s.Field)
		}
		for _, d := range c.inputs() {
			if s.Field == d.TextField || s.Field == d.LabelField {
				bad("split.field is %q, the dataset's text or label field; name the field holding each row's split", s.Field)
			}
		}
		return errors.Join(errs...)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"train", s.Train}, {"validation", s.Validation}, {"test", s.Test}} {
		if math.IsNaN(p.v) || p.v < 0 || p.v > 1 {
			bad("split.%s is %v; want a fraction in [0, 1]", p.name, p.v)
		}
	}
	if sum := s.Train + s.Validation + s.Test; math.Abs(sum-1) > 1e-6 {
		bad("split fractions add up to %v; train + validation + test must be 1", sum)
	}
	return errors.Join(errs...)
}

func validateDataset(d DatasetConfig) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch d.Format {
	case "", FormatJSONL, FormatCSV:
	default:
		bad("dataset.format is %q; want %q or %q", d.Format, FormatJSONL, FormatCSV)
	}
	if strings.TrimSpace(d.TextField) == "" {
		bad("dataset.text_field is empty; name the field holding the text")
	}
	if strings.TrimSpace(d.LabelField) == "" {
		bad("dataset.label_field is empty; name the field holding the label")
	}
	if d.TextField != "" && d.TextField == d.LabelField {
		bad("dataset.text_field and dataset.label_field are both %q; they must differ", d.TextField)
	}
	e := d.Expectations
	if e.MinRows != nil && *e.MinRows < 0 {
		bad("expectations.min_rows is %d; want >= 0", *e.MinRows)
	}
	if e.MaxRows != nil && *e.MaxRows < 0 {
		bad("expectations.max_rows is %d; want >= 0", *e.MaxRows)
	}
	if e.MinRows != nil && e.MaxRows != nil && *e.MinRows > *e.MaxRows {
		bad("expectations.min_rows (%d) is above max_rows (%d)", *e.MinRows, *e.MaxRows)
	}
	if t := e.TextLength; t != nil {
		if t.Min != nil && *t.Min < 0 {
			bad("expectations.text_length.min is %d; want >= 0", *t.Min)
		}
		if t.Min != nil && t.Max != nil && *t.Min > *t.Max {
			bad("expectations.text_length.min (%d) is above max (%d)", *t.Min, *t.Max)
		}
	}
	if r := e.MaxDuplicateRatio; r != nil && (math.IsNaN(*r) || *r < 0 || *r > 1) {
		bad("expectations.max_duplicate_ratio is %v; want a number in [0, 1]", *r)
	}
	if m := e.MinExamplesPerLabel; m != nil && *m < 0 {
		bad("expectations.min_examples_per_label is %d; want >= 0", *m)
	}
	for i, f := range e.NotNull {
		if strings.TrimSpace(f) == "" {
			bad("expectations.not_null[%d] is empty", i)
		}
	}
	return errs
}
