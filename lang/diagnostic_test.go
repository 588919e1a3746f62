package lang

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestRenderDiagnostic keeps the expected text inline: the header with
// file:line:col and context, the numbered snippet with the range marked,
// and the detail.
func TestRenderDiagnostic(t *testing.T) {
	src := []byte("finetune \"intent\" {\n  method = \"lorax\"\n}\n")
	f, diags := hclsyntax.ParseConfig(src, "pipeline.slm.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid value",
		Detail:   `method must be one of "lora", "qlora"; "lorax" is not. Did you mean "lora"?`,
		Subject: &hcl.Range{Filename: "pipeline.slm.hcl",
			Start: hcl.Pos{Line: 2, Column: 12, Byte: 31}, End: hcl.Pos{Line: 2, Column: 19, Byte: 38}},
	}
	got := RenderDiagnostic(NewJSONDiagnostic(d, map[string]*hcl.File{"pipeline.slm.hcl": f}))
	want := `Error: Invalid value

  on pipeline.slm.hcl:2:12, in finetune "intent":
  2 |   method = "lorax"
    |            ^^^^^^^

method must be one of "lora", "qlora"; "lorax" is not. Did you mean "lora"?
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rendered diagnostic (-want +got):\n%s", diff)
	}
}
