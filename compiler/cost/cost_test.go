package cost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/compiler/ir"
)

func pipeline(region, trainType string, spot bool) *ir.Pipeline {
	return &ir.Pipeline{
		Project: ir.Project{Region: region},
		Steps: []ir.Step{
			{Name: "Prepare-intents"}, {Name: "FineTune-intent"}, {Name: "Evaluate-intent"},
		},
		// Deliberately out of run order: the estimate lists steps as they run.
		Evaluations: []ir.Evaluate{{Name: "intent", StepName: "Evaluate-intent",
			Compute: ir.Compute{InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeGB: 30, MaxRuntimeSeconds: 1800}}},
		Prepares: []ir.Prepare{{Name: "intents", StepName: "Prepare-intents",
			Compute: ir.Compute{InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeGB: 30, MaxRuntimeSeconds: 3600}}},
		FineTunes: []ir.FineTune{{Name: "intent", StepName: "FineTune-intent",
			Compute: ir.Compute{InstanceType: trainType, InstanceCount: 2, VolumeSizeGB: 50, MaxRuntimeSeconds: 7200, Spot: spot}}},
		EdgeTargets: []ir.EdgeTarget{{Name: "stores"}, {Name: "vans"}},
		Monitoring: ir.Monitoring{Alarms: []ir.Alarm{
			{Name: "failed", Metric: ir.AlarmPipelineFailed},
			{Name: "errors", Metric: ir.AlarmEdgeErrorRate},                         // 2 targets x 2 metrics
			{Name: "latency", Metric: ir.AlarmEdgeLatencyP95, EdgeTarget: "stores"}, // 1
		}},
	}
}

// TestEstimate checks the figures against the table by hand: us-east-1
// ml.m5.large $0.115/h, ml.g5.xlarge $1.408/h, storage $0.14/GB-month (730 h),
// KMS $1, alarm metric $0.10, dashboard $3.
func TestEstimate(t *testing.T) {
	prices, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := Of(pipeline("us-east-1", "ml.g5.xlarge", true), prices)
	f := func(v float64) *float64 { return &v }
	want := Run{Complete: true, Steps: []StepCost{
		{Block: "prepare.intents", Step: "Prepare-intents", InstanceType: "ml.m5.large", InstanceCount: 1, MaxRuntimeSeconds: 3600, VolumeSizeGB: 30,
			HourlyPrice: 0.115, Compute: &Range{0.115, 0.115}, Storage: f(0.0058), Total: &Range{0.1208, 0.1208}},
		// 1.408 x 2 instances x 2 h = 5.632 on demand, 10% of it at the most saving spot; 0.14 x 50 GB x 2 x 2 h / 730.
		{Block: "finetune.intent", Step: "FineTune-intent", InstanceType: "ml.g5.xlarge", InstanceCount: 2, MaxRuntimeSeconds: 7200, VolumeSizeGB: 50, Spot: true,
			HourlyPrice: 1.408, Compute: &Range{0.5632, 5.632}, Storage: f(0.0384), Total: &Range{0.6016, 5.6704}},
		{Block: "evaluate.intent", Step: "Evaluate-intent", InstanceType: "ml.m5.large", InstanceCount: 1, MaxRuntimeSeconds: 1800, VolumeSizeGB: 30,
			HourlyPrice: 0.115, Compute: &Range{0.0575, 0.0575}, Storage: f(0.0029), Total: &Range{0.0604, 0.0604}},
	}, Total: Range{0.7828, 5.8516}, Priced: 3}
	if d := cmp.Diff(want, e.Run); d != "" {
		t.Errorf("run (-want +got):\n%s", d)
	}
	if e.Monthly.Total != 4.6 || !e.Monthly.Complete {
		t.Errorf("monthly total %v complete %v, want 1 + 6 x 0.10 + 3 = 4.60, complete", e.Monthly.Total, e.Monthly.Complete)
	}
	if got := e.Monthly.Items[1]; got.Count != 6 {
		t.Errorf("alarm metrics %d, want 6 (failed 1, errors 2 targets x 2 metrics, latency 1)", got.Count)
	}
	if len(e.Missing) != 0 {
		t.Errorf("missing %v", e.Missing)
	}
}

func TestEstimateMissingPrices(t *testing.T) {
	prices, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e := Of(pipeline("us-east-1", "ml.g99.xlarge", false), prices)
	if e.Run.Complete || e.Run.Steps[1].Total != nil || e.Run.Steps[1].Compute != nil {
		t.Errorf("an unpriced instance type must leave the step unpriced and the run incomplete: %+v", e.Run)
	}
	if want := "finetune.intent: no us-east-1 price for ml.g99.xlarge"; !contains(e.Missing, want) {
		t.Errorf("missing %q, got %q", want, e.Missing)
	}
	if e.Run.Total != (Range{0.1812, 0.1812}) {
		t.Errorf("total of the priced steps %v, want prepare + evaluate 0.1812", e.Run.Total)
	}

	e = Of(pipeline("ap-south-1", "ml.g5.xlarge", false), prices)
	if e.Run.Complete || e.Monthly.Complete || e.Monthly.Total != 0 || len(e.Missing) != 1 || !strings.Contains(e.Missing[0], "region ap-south-1: no prices in the table (it has us-east-1, us-west-2); pass --price-file") {
		t.Errorf("an unpriced region: %+v", e)
	}
	lines := strings.Join(e.Lines(), "\n")
	for _, w := range []string{"finetune.intent: ml.g5.xlarge x2, 2h, 50 GB: no price", "KMS customer managed key x1: no price", "No price: region ap-south-1"} {
		if !strings.Contains(lines, w) {
			t.Errorf("text lacks %q:\n%s", w, lines)
		}
	}
}

func TestPriceFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "prices.json")
	must(t, os.WriteFile(good, []byte(`{"currency": "USD", "regions": {"ap-south-1": {"instance_hour": {"ml.g5.xlarge": 2, "ml.m5.large": 0.1}, "storage_gb_month": 0, "kms_key_month": 1, "alarm_metric_month": 0.1, "dashboard_month": 3}, "us-east-1": {"instance_hour": {"ml.m5.large": 0.5}}}}`), 0o644))
	prices, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	e := Of(pipeline("ap-south-1", "ml.g5.xlarge", false), prices)
	if !e.Run.Complete || e.Run.Total != (Range{8.15, 8.15}) || !strings.Contains(e.Prices, "overridden by "+good) {
		t.Errorf("price file region: total %v complete %v prices %q; want 0.1 + 2x2x2 + 0.05 = 8.15", e.Run.Total, e.Run.Complete, e.Prices)
	}
	// Overriding one entry keeps the rest of the built-in region.
	e = Of(pipeline("us-east-1", "ml.g5.xlarge", false), prices)
	if e.Run.Steps[0].HourlyPrice != 0.5 || e.Run.Steps[1].HourlyPrice != 1.408 {
		t.Errorf("overlay: %+v", e.Run.Steps)
	}

	for name, tc := range map[string]struct{ body, want string }{
		"negative": {`{"regions": {"x-1": {"instance_hour": {"ml.m5.large": -1}}}}`, `regions.x-1.instance_hour["ml.m5.large"] is -1; a price is a non-negative number`},
		"not ml":   {`{"regions": {"x-1": {"instance_hour": {"m5.large": 1}}}}`, `"m5.large" is not a SageMaker instance type`},
		"unknown":  {`{"regoins": {}}`, `unknown field "regoins"`},
		"currency": {`{"currency": "EUR"}`, `currency EUR differs from the table's USD`},
		"spot":     {`{"spot_savings": {"min": 0.5, "max": 0.2}}`, `must satisfy 0 <= min <= max <= 1`},
		"not json": {`regions = {}`, `is not a valid price table`},
	} {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(dir, name+".json")
			must(t, os.WriteFile(f, []byte(tc.body), 0o644))
			_, err := Load(f)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), f) {
				t.Errorf("error %v, want it to name %s and say %q", err, f, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(dir, "absent.json")); err == nil || !strings.Contains(err.Error(), "reading the price file") {
		t.Errorf("absent file: %v", err)
	}
}

func TestDiff(t *testing.T) {
	prices, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	before := Of(pipeline("us-east-1", "ml.g5.xlarge", false), prices)
	after := Of(pipeline("us-east-1", "ml.g5.2xlarge", false), prices)
	after.Monthly.Total = 5
	got := Diff(before, after)
	want := []string{
		// 1.408 x 2 x 2 + 0.0384 -> 1.515 x 2 x 2 + 0.0384
		"finetune.intent: $5.67 -> $6.10 per run (upper bound)",
		"pipeline run: $5.85 -> $6.28 (upper bound)",
		"fixed: $4.60 -> $5.00 per month",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diff (-want +got):\n%s", d)
	}
	if d := Diff(before, before); len(d) != 0 {
		t.Errorf("no change should say nothing: %v", d)
	}
}

func TestBuiltinTableCoversTheDefaults(t *testing.T) {
	prices, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if prices.Source == "" || prices.Date == "" || prices.Currency != "USD" {
		t.Errorf("the table must say its source, date and currency: %+v", prices)
	}
	// The compiler's default instance types (compile.go, compile_model.go).
	for r, rp := range prices.Regions {
		for _, it := range []string{"ml.m5.large", "ml.g5.xlarge"} {
			if _, ok := rp.InstanceHour[it]; !ok {
				t.Errorf("%s has no price for the default %s", r, it)
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
