package prepare

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	valid := `{"dataset": {"name": "d", "format": "jsonl", "text_field": "text", "label_field": "intent",
	  "expectations": {"min_rows": 1, "max_rows": 10, "not_null": ["text"], "text_length": {"min": 1, "max": 9},
	  "allowed_labels": ["a"], "max_duplicate_ratio": 0.5, "min_examples_per_label": 2}},
	  "cleaning": {"unicode_nfc": true, "collapse_whitespace": true, "lowercase": false, "deduplicate": true},
	  "split": {"train": 0.8, "validation": 0.1, "test": 0.1, "stratify": true, "seed": 42}}`
	tests := []struct {
		name    string
		doc     string
		wantErr string // substring; empty for success
	}{
		{"valid", valid, ""},
		{"no expectations", `{"dataset": {"text_field": "t", "label_field": "l"}, "split": {"train": 1}}`, ""},
		{"unknown key", strings.Replace(valid, `"min_rows"`, `"min_row"`, 1), `unknown field "min_row"`},
		{"bad format", strings.Replace(valid, `"jsonl"`, `"parquet"`, 1), `dataset.format is "parquet"`},
		{"no text field", strings.Replace(valid, `"text_field": "text"`, `"text_field": ""`, 1), "dataset.text_field is empty"},
		{"same fields", strings.Replace(valid, `"intent"`, `"text"`, 1), "must differ"},
		{"min above max rows", strings.Replace(valid, `"min_rows": 1`, `"min_rows": 11`, 1), "min_rows (11) is above max_rows (10)"},
		{"negative length", strings.Replace(valid, `"min": 1`, `"min": -1`, 1), "text_length.min is -1"},
		{"ratio above one", strings.Replace(valid, `0.5`, `1.5`, 1), "max_duplicate_ratio is 1.5"},
		{"fractions", strings.Replace(valid, `"test": 0.1`, `"test": 0.2`, 1), "add up to"},
		{"negative fraction", `{"dataset": {"text_field": "t", "label_field": "l"}, "split": {"train": 1.5, "test": -0.5}}`, "split.test is -0.5"},
		{"predefined split", strings.Replace(valid, `"train": 0.8, "validation": 0.1, "test": 0.1, "stratify": true, "seed": 42`, `"field": "split"`, 1), ""},
		{"field and fractions", strings.Replace(valid, `"train": 0.8`, `"field": "split", "train": 0.8`, 1), "split.field \"split\" and split fractions together"},
		{"field is the label", strings.Replace(valid, `"train": 0.8, "validation": 0.1, "test": 0.1`, `"field": "intent"`, 1), "the dataset's text or label field"},
		{"trailing data", valid + `{}`, "trailing data"},
		{"not JSON", `dataset:`, "decoding JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.doc))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}
