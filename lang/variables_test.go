package lang

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const precedenceConfig = `
project "p" {
  region           = "eu-west-1"
  artifact_storage = storage.a
}
storage "a" {
  bucket = "p-a-bucket"
}
variable "x" {
  type    = string
  default = "default"
}
variable "n" {
  type    = number
  default = 1
}
variable "tags" {
  type    = map(string)
  default = {}
}
variable "opt" {
  type    = number
  default = null
}
`

// TestVariablePrecedence applies each source on top of the previous ones
// and checks the winner and its recorded provenance.
func TestVariablePrecedence(t *testing.T) {
	tests := []struct {
		name       string
		environ    []string
		auto       string // cfg/a.auto.slmvars.hcl
		files      map[string]string
		varFiles   []string
		vars       []string
		wantX      string
		wantSource string
		wantOver   []string
	}{
		{name: "default", wantX: "default", wantSource: "default cfg/main.slm.hcl:9"},
		{name: "environment over default", environ: []string{"SLM_VAR_x=env", "PATH=/bin"}, wantX: "env",
			wantSource: "environment SLM_VAR_x", wantOver: []string{"default cfg/main.slm.hcl:9"}},
		{name: "auto file over environment", environ: []string{"SLM_VAR_x=env"}, auto: `x = "auto"`, wantX: "auto",
			wantSource: "auto file cfg/a.auto.slmvars.hcl:1", wantOver: []string{"default cfg/main.slm.hcl:9", "environment SLM_VAR_x"}},
		{name: "var file over auto file", auto: `x = "auto"`, files: map[string]string{"one.slmvars.hcl": `x = "one"`},
			varFiles: []string{"one.slmvars.hcl"}, wantX: "one", wantSource: "var file one.slmvars.hcl:1",
			wantOver: []string{"default cfg/main.slm.hcl:9", "auto file cfg/a.auto.slmvars.hcl:1"}},
		{name: "later var file wins", files: map[string]string{"one.slmvars.hcl": `x = "one"`, "two.slmvars.hcl": "\n" + `x = "two"`},
			varFiles: []string{"one.slmvars.hcl", "two.slmvars.hcl"}, wantX: "two", wantSource: "var file two.slmvars.hcl:2",
			wantOver: []string{"default cfg/main.slm.hcl:9", "var file one.slmvars.hcl:1"}},
		{name: "command line over files", files: map[string]string{"one.slmvars.hcl": `x = "one"`}, varFiles: []string{"one.slmvars.hcl"},
			vars: []string{"x=cli1", "x=cli2"}, wantX: "cli2", wantSource: "command line --var x",
			wantOver: []string{"default cfg/main.slm.hcl:9", "var file one.slmvars.hcl:1", "command line --var x"}},
		{name: "string values need no quotes", vars: []string{"x=a=b c"}, wantX: "a=b c", wantSource: "command line --var x",
			wantOver: []string{"default cfg/main.slm.hcl:9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(precedenceConfig)}}
			if tt.auto != "" {
				fsys["cfg/a.auto.slmvars.hcl"] = &fstest.MapFile{Data: []byte(tt.auto)}
			}
			for n, c := range tt.files {
				fsys[n] = &fstest.MapFile{Data: []byte(c)}
			}
			p := NewParser(fsys)
			cfg, diags := p.LoadConfigDir(context.Background(), "cfg")
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			vals, diags := p.ResolveVariables(context.Background(), cfg, VarInputs{Environ: tt.environ, VarFiles: tt.varFiles, Vars: tt.vars})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			x := vals["x"]
			if got := x.Value.AsString(); got != tt.wantX {
				t.Errorf("x = %q, want %q", got, tt.wantX)
			}
			if got := x.Source.String(); got != tt.wantSource {
				t.Errorf("source = %q, want %q", got, tt.wantSource)
			}
			var over []string
			for _, o := range x.Overrode {
				over = append(over, o.String())
			}
			if diff := cmp.Diff(tt.wantOver, over); diff != "" {
				t.Errorf("overrode (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVariableValueParsing: non-string variables from the command line and
// the environment are parsed as HCL once their declared type is known.
func TestVariableValueParsing(t *testing.T) {
	tests := []struct {
		name    string
		vars    []string
		environ []string
		check   func(t *testing.T, vals map[string]*VariableValue)
		wantErr string
	}{
		{name: "number", vars: []string{"n=42"}, check: func(t *testing.T, v map[string]*VariableValue) {
			if !v["n"].Value.Equals(cty.NumberIntVal(42)).True() {
				t.Errorf("n = %#v", v["n"].Value)
			}
		}},
		{name: "map from environment", environ: []string{`SLM_VAR_tags={team="ml"}`}, check: func(t *testing.T, v map[string]*VariableValue) {
			if got := v["tags"].Value.Index(cty.StringVal("team")).AsString(); got != "ml" {
				t.Errorf("tags.team = %q", got)
			}
		}},
		{name: "default null is optional and null", check: func(t *testing.T, v map[string]*VariableValue) {
			if got := v["opt"]; got == nil || !got.Value.IsNull() || !got.Value.Type().Equals(cty.Number) {
				t.Errorf("opt = %#v, want a null number", got)
			}
		}},
		{name: "default null overridden", vars: []string{"opt=2"}, check: func(t *testing.T, v map[string]*VariableValue) {
			if !v["opt"].Value.Equals(cty.NumberIntVal(2)).True() || len(v["opt"].Overrode) != 1 {
				t.Errorf("opt = %#v", v["opt"])
			}
		}},
		{name: "not a number", vars: []string{"n=many"}, wantErr: `must be a number written in HCL syntax`},
		{name: "undeclared on the command line", vars: []string{"nn=1"}, wantErr: `Did you mean "n"?`},
		{name: "no equals sign", vars: []string{"x"}, wantErr: "NAME=VALUE"},
		{name: "space in name", vars: []string{"x =1"}, wantErr: "surrounding spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(precedenceConfig)}}
			p := NewParser(fsys)
			cfg, diags := p.LoadConfigDir(context.Background(), "cfg")
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			vals, diags := p.ResolveVariables(context.Background(), cfg, VarInputs{Environ: tt.environ, Vars: tt.vars})
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("diagnostics %q, want an error containing %q", diags.Error(), tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			tt.check(t, vals)
		})
	}
}

// TestNoConfigFiles: a directory without .slm.hcl files is an error.
func TestNoConfigFiles(t *testing.T) {
	p := NewParser(fstest.MapFS{"cfg/readme.md": {Data: []byte("hi")}})
	_, diags := p.LoadConfigDir(context.Background(), "cfg")
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "No configuration files") {
		t.Fatalf("got %v, want a No configuration files error", diags)
	}
}

// TestStrictVarFiles: a var file's value for an undeclared variable is a
// warning, and an error in strict mode.
func TestStrictVarFiles(t *testing.T) {
	for _, strict := range []bool{false, true} {
		fsys := fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(precedenceConfig)}, "e.slmvars.hcl": {Data: []byte("xx = \"typo\"\n")}}
		p := NewParser(fsys)
		cfg, diags := p.LoadConfigDir(context.Background(), "cfg")
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		_, diags = p.ResolveVariables(context.Background(), cfg, VarInputs{VarFiles: []string{"e.slmvars.hcl"}, Strict: strict})
		if len(diags) != 1 || diags.HasErrors() != strict || !strings.Contains(diags[0].Detail, `Did you mean "x"?`) {
			t.Errorf("strict=%t: got %v", strict, diags)
		}
	}
}
