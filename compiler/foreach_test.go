package compiler_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/backends/sagemaker"
	"github.com/slm-project/slm/backends/sagemaker/defcheck"
	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/plan"
	"github.com/slm-project/slm/lang"
)

func loadForEach(t *testing.T, src string, validate bool) compiler.Result {
	t.Helper()
	return compiler.Load(context.Background(), compiler.Request{FS: fstest.MapFS{"cfg/main.slm.hcl": {Data: []byte(src)}}, Dir: "cfg", Validate: validate})
}

// TestForEach: for_each blocks become one instance per key, addressed
// NAME["KEY"] in the plan and named NAME-KEY in SageMaker; each.key and
// each.value reach every attribute (templates, numbers, references); a
// dynamic block generates thresholds; validate checks the blocks once with
// unknown keys.
func TestForEach(t *testing.T) {
	src, err := os.ReadFile("testdata/foreach/main.slm.hcl")
	if err != nil {
		t.Fatal(err)
	}
	res := loadForEach(t, string(src), false)
	if res.Diags.HasErrors() {
		var b strings.Builder
		_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
		t.Fatal(b.String())
	}
	p := res.Pipeline
	var steps []string
	for _, s := range p.Steps {
		steps = append(steps, s.Name+" "+s.Block)
	}
	sort.Strings(steps)
	want := []string{
		`Evaluate-intent-de evaluate.intent["de"]`, `Evaluate-intent-en evaluate.intent["en"]`,
		`FineTune-intent-de finetune.intent["de"]`, `FineTune-intent-en finetune.intent["en"]`,
		`Gate-quality-de gate.quality["de"]`, `Gate-quality-de-Failed gate.quality["de"]`,
		`Gate-quality-en gate.quality["en"]`, `Gate-quality-en-Failed gate.quality["en"]`,
		`Prepare-intents-de prepare.intents["de"]`, `Prepare-intents-en prepare.intents["en"]`,
		`Register-intent-de register.intent["de"]`, `Register-intent-en register.intent["en"]`,
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	for _, f := range p.FineTunes {
		if want := map[string]int{`intent["en"]`: 3, `intent["de"]`: 5}[f.Name]; f.Hyper.Epochs != want {
			t.Errorf("%s: %d epochs, want %d (each.value.epochs)", f.Name, f.Hyper.Epochs, want)
		}
	}
	for _, d := range p.Datasets {
		if !strings.HasSuffix(d.Source.Literal.(string), "/raw/"+strings.Split(d.Name, `"`)[1]+"/") {
			t.Errorf("%s reads %v", d.Name, d.Source.Literal)
		}
	}
	var thresholds []string
	for _, g := range p.Gates {
		for _, th := range g.Thresholds {
			thresholds = append(thresholds, g.Name+" "+th.Metric)
		}
	}
	if diff := cmp.Diff([]string{`quality["de"] accuracy`, `quality["de"] macro_f1`, `quality["en"] accuracy`, `quality["en"] macro_f1`}, thresholds); diff != "" {
		t.Errorf("thresholds (-want +got):\n%s", diff)
	}
	if got := p.Gates[1].Thresholds[0].Value.Literal; got != 0.9 {
		t.Errorf(`gate.quality["en"] accuracy bound %v, want 0.9 (threshold.value)`, got)
	}
	var alarms []string
	for _, a := range p.Monitoring.Alarms {
		alarms = append(alarms, a.Name+" "+string(a.Metric)+" "+a.EdgeTarget)
	}
	if diff := cmp.Diff([]string{`errors-kiosks edge_error_rate fleet["kiosks"]`, `errors-stores edge_error_rate fleet["stores"]`, `kiosk-latency edge_latency_p95_ms fleet["kiosks"]`}, alarms); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}
	if len(p.EdgeTargets) != 2 || p.EdgeTargets[0].ThingGroup != "t-kiosks" {
		t.Errorf("edge targets %+v, alarm %+v", p.EdgeTargets, p.Monitoring.Alarms)
	}
	pl := plan.Build(p, nil)
	if pl.Gates[1].Guards[0] != `register.intent["en"]` || len(pl.Gates[1].Guards) != 3 {
		t.Errorf("gate guards %v, want the registration and both fleets by instance address", pl.Gates[1].Guards)
	}
	def, err := sagemaker.Generate(p, sagemaker.Code{Runner: []byte("r"), ORTLibrary: []byte("o"), TrainingSource: []byte("t")})
	if err != nil {
		t.Fatal(err)
	}
	checker, err := defcheck.New()
	if err != nil {
		t.Fatal(err)
	}
	if problems := checker.Check(def.Definition); len(problems) > 0 {
		t.Errorf("the definition of the repeated pipeline is invalid: %v", problems)
	}
	if v := loadForEach(t, string(src), true); v.Diags.HasErrors() {
		t.Errorf("validate: %s", v.Diags.Error())
	}
}

// TestForEachDiagnostics: diagnostics inside an instance name it, and a
// reference to a repeated block without a key says how to refer to one.
func TestForEachDiagnostics(t *testing.T) {
	src, err := os.ReadFile("testdata/foreach/main.slm.hcl")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), `fleets = toset(["kiosks", "stores"])`, `fleets = toset(["kiosks", "stores_"])`, 1)
	bad = strings.Replace(bad, `thing_group    = "t-${each.key}"`, `thing_group    = "t-${each.key}!"`, 1)
	bad = strings.Replace(bad, `model               = finetune.intent[each.key]`, `model               = finetune.intent`, 1)
	res := loadForEach(t, bad, false)
	var b strings.Builder
	_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
	text := strings.Join(strings.Fields(b.String()), " ")
	for _, want := range []string{
		`(in edge_target.fleet["kiosks"])`, `(in edge_target.fleet["stores_"])`,
		`finetune "intent" has for_each, so it stands for several blocks: refer to one instance, finetune.intent[KEY]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
}
