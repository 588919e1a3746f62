package compiler_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/slm-project/slm/compiler"
	"github.com/slm-project/slm/compiler/ir"
	"github.com/slm-project/slm/lang"
)

// TestDriftAlarms: the drift metrics of the edge runtime are alarm metrics of
// the monitoring block, compiled to the IR with their thresholds; a
// misspelt one is refused with the list of metrics.
func TestDriftAlarms(t *testing.T) {
	// The example (it declares edge targets, which edge alarms need) with its monitoring block replaced.
	fsys := fstest.MapFS{}
	files, err := filepath.Glob("../examples/intent/*.slm.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("example files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(data, []byte("\nmonitoring {")); i >= 0 {
			data = data[:i+1]
		}
		fsys["cfg/"+filepath.Base(f)] = &fstest.MapFile{Data: data}
	}
	load := func(monitoring string) compiler.Result {
		fsys["cfg/monitoring.slm.hcl"] = &fstest.MapFile{Data: []byte(monitoring)}
		return compiler.Load(context.Background(), compiler.Request{FS: fsys, Dir: "cfg", Validate: true})
	}
	res := load(`
monitoring {
  notify_emails = ["ml@example.com"]
  alarm "labels-drift" {
    metric             = "edge_drift_label_psi"
    threshold          = 0.25
    period             = "15m"
    evaluation_periods = 2
    edge_target        = edge_target.stores
  }
  alarm "oos-rate" {
    metric    = "edge_oos_rate_change"
    threshold = 0.1
  }
  alarm "confidence-drift" {
    metric    = "edge_drift_confidence_psi"
    threshold = 0.2
  }
  alarm "length-drift" {
    metric    = "edge_drift_tokens_psi"
    threshold = 0.25
  }
}
`)
	if res.Diags.HasErrors() {
		var b strings.Builder
		_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
		t.Fatal(b.String())
	}
	want := []ir.Alarm{
		{Name: "confidence-drift", Metric: ir.AlarmEdgeDriftConfidence, Threshold: 0.2, PeriodSeconds: 300, EvaluationPeriods: 1},
		{Name: "labels-drift", Metric: ir.AlarmEdgeDriftLabels, Threshold: 0.25, PeriodSeconds: 900, EvaluationPeriods: 2, EdgeTarget: "stores"},
		{Name: "length-drift", Metric: ir.AlarmEdgeDriftTokens, Threshold: 0.25, PeriodSeconds: 300, EvaluationPeriods: 1},
		{Name: "oos-rate", Metric: ir.AlarmEdgeOOSRateChange, Threshold: 0.1, PeriodSeconds: 300, EvaluationPeriods: 1},
	}
	if d := cmp.Diff(want, res.Pipeline.Monitoring.Alarms); d != "" {
		t.Errorf("alarms (-want +got):\n%s", d)
	}

	res = load(`
monitoring {
  notify_emails = []
  alarm "drift" {
    metric    = "edge_drift_psi"
    threshold = 0.25
  }
}
`)
	var b strings.Builder
	_ = lang.WriteDiagnostics(&b, res.Diags, res.Files)
	if !res.Diags.HasErrors() || !strings.Contains(b.String(), "edge_drift_label_psi") {
		t.Fatalf("a misspelt drift metric: want an error listing the metrics, got:\n%s", b.String())
	}
}
