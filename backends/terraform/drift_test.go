package terraform

import (
	"strings"
	"testing"

	"github.com/slm-project/slm/backends/terraform/exampleir"
	"github.com/slm-project/slm/compiler/ir"
)

// TestDriftAlarms: each drift alarm becomes one CloudWatch alarm per edge target on the runtime's EMF
// metric (its worst value in the period against the threshold), valid against the AWS provider's schema.
func TestDriftAlarms(t *testing.T) {
	p := exampleir.Compile(t, "dev")
	if len(p.EdgeTargets) == 0 {
		t.Fatal("the example has no edge target")
	}
	target := p.EdgeTargets[0].Name
	for i, m := range ir.EdgeDriftMetrics {
		p.Monitoring.Alarms = append(p.Monitoring.Alarms, ir.Alarm{
			Name: "drift-" + string(m), Metric: m, Threshold: []float64{0.1, 0.2, 0.25, 0.05}[i], PeriodSeconds: 900, EvaluationPeriods: 2, EdgeTarget: target,
		})
	}
	files := generate(t, p, Inputs{})
	for _, d := range loadSchema(t).Check(files, "aws") {
		t.Errorf("schema: %s", d)
	}
	tf := string(files["monitoring.tf"])
	for i, m := range ir.EdgeDriftMetrics {
		// Alignment aside: compare with runs of spaces collapsed.
		block := strings.Join(strings.Fields(resourceBlock(t, tf, "aws_cloudwatch_metric_alarm", tfName("drift-"+string(m)+"_"+target))), " ")
		for _, want := range []string{
			`metric_name = "` + EdgeDriftMetrics[m] + `"`,
			`namespace = "slm/edge"`,
			`statistic = "Maximum"`,
			`period = 900`,
			`evaluation_periods = 2`,
			`comparison_operator = "GreaterThanOrEqualToThreshold"`,
			`EdgeTarget = "` + target + `"`,
			"threshold = " + []string{"0.1", "0.2", "0.25", "0.05"}[i] + " ",
		} {
			if !strings.Contains(block, want) {
				t.Errorf("%s alarm lacks %q:\n%s", m, want, block)
			}
		}
	}
}

// TestDriftAlarmsInPlan: what the plan lists for a drift alarm (slm plan shows every resource Render
// returns with its details).
func TestDriftAlarmsInPlan(t *testing.T) {
	p := exampleir.Compile(t, "dev")
	target := p.EdgeTargets[0].Name
	p.Monitoring.Alarms = append(p.Monitoring.Alarms, ir.Alarm{Name: "label-drift", Metric: ir.AlarmEdgeDriftLabels, Threshold: 0.25, PeriodSeconds: 900, EvaluationPeriods: 2})
	_, resources, err := Render(p, Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resources {
		if r.Address() == "aws_cloudwatch_metric_alarm."+tfName("label-drift_"+target) {
			got := strings.Join(r.Details(), "; ")
			if want := "watches: edge drift DriftLabelPSI (" + target + "); threshold: >= 0.25"; got != want {
				t.Fatalf("plan details %q, want %q", got, want)
			}
			return
		}
	}
	t.Fatalf("no drift alarm among the plan's resources")
}

// resourceBlock returns the text of one resource block of a generated file.
func resourceBlock(t *testing.T, tf, typ, name string) string {
	t.Helper()
	start := strings.Index(tf, `resource "`+typ+`" "`+name+`" {`)
	if start < 0 {
		t.Fatalf("no resource %s.%s in:\n%s", typ, name, tf)
	}
	end := strings.Index(tf[start:], "\n}\n")
	return tf[start : start+end]
}
