package compiler_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

const splitByVar = `
project "t" {
  environment      = "test"
  region           = "eu-west-1"
  account          = "123456789012"
  artifact_storage = storage.data
}
storage "data" {
  bucket = "t-data-bucket"
}
dataset "d" {
  source = "s3://t-data-bucket/raw/"
  format = "jsonl"
}
variable "split_field" {
  type    = string
  default = null
}
prepare "p" {
  dataset = dataset.d
  output  = storage.data
  split {
    field      = var.split_field
    train      = var.split_field == null ? 0.7 : null
    validation = var.split_field == null ? 0.2 : null
    test       = var.split_field == null ? 0.1 : null
  }
}
`

// TestSplitModeFromVariable: one split block takes either mode from a
// variable, since a null attribute counts as not written: the rows' field
// when the variable is set, the ratios (with the default stratify and seed)
// when it is null; validate mode, where the variable is unknown, accepts it.
func TestSplitModeFromVariable(t *testing.T) {
	tests := []struct {
		name     string
		vars     []string
		validate bool
		want     ir.Split
	}{
		{"null: ratios", nil, false, ir.Split{Train: 0.7, Validation: 0.2, Test: 0.1, Stratify: true, Seed: 42}},
		{"set: field", []string{"split_field=official"}, false, ir.Split{Field: "official"}},
		{"validate", nil, true, ir.Split{}}, // no pipeline is built
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := compiler.Load(context.Background(), compiler.Request{
				FS: fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(splitByVar)}}, Dir: "cfg",
				Validate: tt.validate, Vars: lang.VarInputs{Vars: tt.vars},
			})
			if res.Diags.HasErrors() {
				t.Fatal(res.Diags.Error())
			}
			if tt.validate {
				return
			}
			if len(res.Pipeline.Prepares) != 1 {
				t.Fatalf("%d prepares, want 1", len(res.Pipeline.Prepares))
			}
			if diff := cmp.Diff(tt.want, res.Pipeline.Prepares[0].Split); diff != "" {
				t.Errorf("split (-want +got):\n%s", diff)
			}
		})
	}
}
