package emf

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics", "metrics.log")
	r, err := New(path, "slm/edge", []string{"Project=p", "EdgeTarget=line-1"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 250 {
		r.Observe(time.Duration(i+1)*time.Millisecond, i%50 == 0)
	}
	if err := r.Flush(time.UnixMilli(1700000000000)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Run(ctx, time.Hour); err != nil { // flushes an empty interval on exit
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		recs = append(recs, m)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	first := recs[0]
	aws := first["_aws"].(map[string]any)
	cw := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if aws["Timestamp"] != float64(1700000000000) || cw["Namespace"] != "slm/edge" {
		t.Fatalf("metadata %v", aws)
	}
	if dims := cw["Dimensions"].([]any)[0].([]any); len(dims) != 2 || dims[0] != "EdgeTarget" || dims[1] != "Project" {
		t.Fatalf("dimensions %v", dims)
	}
	if first["Requests"] != float64(250) || first["Errors"] != float64(5) || first["Project"] != "p" || first["EdgeTarget"] != "line-1" {
		t.Fatalf("record %v", first)
	}
	if lat := first["LatencyMs"].([]any); len(lat) != maxValues {
		t.Fatalf("%d latency values, want the EMF limit %d", len(lat), maxValues)
	}
	if len(cw["Metrics"].([]any)) != 3 {
		t.Fatalf("metrics %v", cw["Metrics"])
	}
	second := recs[1]
	if second["Requests"] != float64(0) || second["LatencyMs"] != nil {
		t.Fatalf("empty interval %v: want zero requests and no latency metric", second)
	}
}

func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, ns string
		dims     []string
	}{
		{"empty namespace", "", nil},
		{"dimension without value", "ns", []string{"Project"}},
		{"dimension without name", "ns", []string{"=x"}},
		{"duplicate dimension", "ns", []string{"A=1", "A=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(filepath.Join(dir, "m.log"), tc.ns, tc.dims); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestGauges: the drift statistics join the record as unit-less metrics when
// they have values, and are left out (not written as NaN) when they do not.
func TestGauges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.log")
	r, err := New(path, "slm/edge", []string{"Project=p"})
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]float64
	r.Gauges(func() map[string]float64 { return values })
	line, err := r.record(time.UnixMilli(1))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(line), "Drift") {
		t.Fatalf("record without drift values: %s", line)
	}
	values = map[string]float64{"DriftTokensPSI": 0.5, "DriftLabelPSI": math.NaN(), "OutOfScopeRateChange": -0.1}
	line, err = r.record(time.UnixMilli(1))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(line, &rec); err != nil {
		t.Fatal(err)
	}
	metrics := rec["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Metrics"].([]any)
	names := []string{}
	for _, m := range metrics {
		names = append(names, m.(map[string]any)["Name"].(string))
	}
	if rec["DriftTokensPSI"] != 0.5 || rec["OutOfScopeRateChange"] != -0.1 || rec["DriftLabelPSI"] != nil ||
		strings.Join(names, ",") != "Requests,Errors,DriftTokensPSI,OutOfScopeRateChange" {
		t.Fatalf("record %s", line)
	}
}
