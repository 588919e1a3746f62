package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCost plans the example with a price file for its region: the text
// and JSON plans carry the estimate; a bad price file is refused before
// anything is written.
func TestPlanCost(t *testing.T) {
	dir := t.TempDir()
	prices := filepath.Join(dir, "prices.json")
	if err := os.WriteFile(prices, []byte(`{"regions": {"eu-west-1": {"instance_hour": {"ml.g5.xlarge": 1.6, "ml.m5.large": 0.13}, "storage_gb_month": 0.146, "kms_key_month": 1, "alarm_metric_month": 0.1, "dashboard_month": 3}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "plan")
	args := append([]string{"plan", example, "--var-file", example + "/envs/dev.slmvars.hcl", "--out", out, "--price-file", prices}, stepCode(t)...)
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// finetune: 1.6 x 1 x 2 h = 3.20 on demand, spot from 10% of it; 0.146 x 50 GB x 2 h / 730 = 0.02.
	for _, w := range []string{
		"Cost (USD, list prices, region eu-west-1):",
		"finetune.intent: ml.g5.xlarge x1, 2h spot, 50 GB: $0.34 to $3.22",
		"prepare.intents: ml.m5.large x1, 1h, 30 GB: $0.14",
		"Fixed per month: $4.40",
		"CloudWatch alarm metrics x4: $0.40",
		"overridden by " + prices,
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("text plan lacks %q:\n%s", w, stdout)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pl struct {
		Cost struct {
			Run struct {
				Total    struct{ Low, High float64 }
				Complete bool
			}
			Monthly struct{ Total float64 }
		}
	}
	if err := json.Unmarshal(b, &pl); err != nil {
		t.Fatal(err)
	}
	if !pl.Cost.Run.Complete || pl.Cost.Run.Total.High < 3.4 || pl.Cost.Run.Total.High > 3.5 || pl.Cost.Monthly.Total != 4.4 {
		t.Errorf("plan.json cost: %+v", pl.Cost)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"regions": {"eu-west-1": {"instance_hour": {"ml.m5.large": -0.1}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "plan2")
	args = append([]string{"plan", example, "--var-file", example + "/envs/dev.slmvars.hcl", "--out", out2, "--price-file", bad}, stepCode(t)...)
	code, _, stderr = runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, "price file "+bad) || !strings.Contains(stderr, "non-negative") {
		t.Errorf("bad price file: exit %d, stderr %s", code, stderr)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("a refused plan wrote %s", out2)
	}
}
