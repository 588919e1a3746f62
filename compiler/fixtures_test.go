package compiler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/lang"
)

// markerPattern finds expectations written inline in fixtures:
//
//	method = "lorax" # ERROR: Invalid value
//
// The diagnostic's subject must start on the marked line, and its summary
// must contain the text after ERROR: (or WARNING:).
var markerPattern = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

type expectation struct {
	File, Severity, Summary string
	Line                    int
}

// TestErrorFixtures compiles each directory under testdata/errors with the
// shared base configuration and compares the diagnostics with the inline
// markers, both ways: every marker is hit and every diagnostic is marked.
// A fixture with test.slmvars.hcl is compiled with it (plan mode), others
// in validate mode.
func TestErrorFixtures(t *testing.T) {
	base, err := os.ReadFile("testdata/base.slm.hcl")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir("testdata/errors")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			fsys := fstest.MapFS{}
			var want []expectation
			validate := true
			useBase := true
			entries, err := os.ReadDir(filepath.Join("testdata/errors", d.Name()))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				src, err := os.ReadFile(filepath.Join("testdata/errors", d.Name(), e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				name := "cfg/" + e.Name()
				if e.Name() == "test.slmvars.hcl" {
					validate = false
					name = e.Name()
				}
				if strings.HasPrefix(string(src), "# NOBASE") {
					useBase = false
				}
				fsys[name] = &fstest.MapFile{Data: src}
				for i, line := range strings.Split(string(src), "\n") {
					if m := markerPattern.FindStringSubmatch(line); m != nil {
						want = append(want, expectation{File: name, Line: i + 1, Severity: strings.ToLower(m[1]), Summary: m[2]})
					}
				}
			}
			if useBase {
				fsys["cfg/base.slm.hcl"] = &fstest.MapFile{Data: base}
			}
			req := compiler.Request{FS: fsys, Dir: "cfg", Validate: validate}
			if !validate {
				req.Vars = lang.VarInputs{VarFiles: []string{"test.slmvars.hcl"}, Vars: nil}
			}
			if v, ok := fsys["cfg/cli.vars"]; ok {
				req.Vars.Vars = strings.Split(strings.TrimSpace(string(v.Data)), "\n")
				delete(fsys, "cfg/cli.vars")
			}
			res := compiler.Load(context.Background(), req)
			var rendered strings.Builder
			_ = lang.WriteDiagnostics(&rendered, res.Diags, res.Files)
			if strings.Contains(rendered.String(), "s3cr3t") {
				t.Errorf("a sensitive value reached a diagnostic:\n%s", rendered.String())
			}
			var got []expectation
			for _, diag := range res.Diags {
				sev := "error"
				if diag.Severity == hcl.DiagWarning {
					sev = "warning"
				}
				e := expectation{Severity: sev, Summary: diag.Summary}
				if diag.Subject != nil {
					e.File, e.Line = diag.Subject.Filename, diag.Subject.Start.Line
				}
				got = append(got, e)
			}
			if len(want) == 0 {
				t.Fatal("fixture has no ERROR or WARNING markers")
			}
			matched := make([]bool, len(got))
			var missing []string
			for _, w := range want {
				found := false
				for i, g := range got {
					if !matched[i] && g.File == w.File && g.Line == w.Line && g.Severity == w.Severity && strings.Contains(g.Summary, w.Summary) {
						matched[i], found = true, true
						break
					}
				}
				if !found {
					missing = append(missing, fmt.Sprintf("%s:%d %s %q", w.File, w.Line, w.Severity, w.Summary))
				}
			}
			var extra []string
			for i, g := range got {
				if !matched[i] {
					extra = append(extra, fmt.Sprintf("%s:%d %s %q", g.File, g.Line, g.Severity, g.Summary))
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing) > 0 || len(extra) > 0 {
				var b strings.Builder
				_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
				t.Errorf("diagnostics differ from markers\nmissing: %s\nunexpected: %s\n\n%s", cmp.Diff(nil, missing), cmp.Diff(nil, extra), b.String())
			}
		})
	}
}
