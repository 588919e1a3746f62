package compiler_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

var hclBlock = regexp.MustCompile("(?s)```hcl\n(.*?)```")

// TestSpecExamples compiles every hcl example in SPEC.md (with the base
// configuration the fixtures use), so the reference cannot drift from the
// language.
func TestSpecExamples(t *testing.T) {
	spec, err := os.ReadFile("../SPEC.md")
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile("testdata/base.slm.hcl")
	if err != nil {
		t.Fatal(err)
	}
	blocks := hclBlock.FindAllSubmatch(spec, -1)
	if len(blocks) < 8 {
		t.Fatalf("found %d hcl examples in SPEC.md, expected the language reference's", len(blocks))
	}
	for i, m := range blocks {
		src := m[1]
		name := strings.SplitN(strings.TrimSpace(string(src)), "\n", 2)[0]
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"cfg/example.slm.hcl": {Data: src}}
			if !strings.Contains(string(src), "project \"") {
				fsys["cfg/base.slm.hcl"] = &fstest.MapFile{Data: base}
			}
			res := compiler.Load(context.Background(), compiler.Request{FS: fsys, Dir: "cfg", Validate: true})
			if res.Diags.HasErrors() {
				var b strings.Builder
				_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
				t.Errorf("example %d in SPEC.md does not compile:\n%s", i+1, b.String())
			}
		})
	}
}
