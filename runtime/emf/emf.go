// Package emf writes the server's request metrics as CloudWatch Embedded
// Metric Format records, one JSON object a line, to a file that the
// Greengrass log manager ships to CloudWatch. One record per interval holds
// Requests, Errors and a sample of LatencyMs under the configured namespace
// and dimensions, plus any gauges (the drift statistics).
package emf

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// maxValues is CloudWatch EMF's limit on values in one metric array.
const maxValues = 100

// Recorder accumulates one interval's requests. Safe for concurrent use.
type Recorder struct {
	namespace  string
	dimensions map[string]string
	path       string

	mu       sync.Mutex
	requests int
	errors   int
	latency  []float64  // a uniform sample (reservoir) of the interval's latencies
	rng      *rand.Rand // reservoir sampling; seeded, the sample needs no secrecy
	gauges   func() map[string]float64
}

// Gauges adds the values fn returns (metric name to value, unit None) to
// every record, e.g. the drift statistics; names it leaves out are left out
// of the record. Call before Run.
func (r *Recorder) Gauges(fn func() map[string]float64) { r.gauges = fn }

// New checks the settings and creates the file's directory.
func New(path, namespace string, dimensions []string) (*Recorder, error) {
	if strings.TrimSpace(namespace) == "" {
		return nil, fmt.Errorf("metrics namespace is empty")
	}
	dims := map[string]string{}
	for _, d := range dimensions {
		k, v, ok := strings.Cut(d, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("metrics dimension %q: want NAME=VALUE", d)
		}
		if _, dup := dims[k]; dup {
			return nil, fmt.Errorf("metrics dimension %q given twice", k)
		}
		dims[k] = v
	}
	if len(dims) > 30 {
		return nil, fmt.Errorf("%d metrics dimensions: CloudWatch allows 30", len(dims))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("metrics file directory: %w", err)
	}
	return &Recorder{namespace: namespace, dimensions: dims, path: path, rng: rand.New(rand.NewPCG(1, 2))}, nil
}

// Observe records one request: its latency and whether it was an error.
func (r *Recorder) Observe(latency time.Duration, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if failed {
		r.errors++
	}
	ms := float64(latency.Microseconds()) / 1000
	if len(r.latency) < maxValues {
		r.latency = append(r.latency, ms)
	} else if j := r.rng.IntN(r.requests); j < maxValues {
		r.latency[j] = ms
	}
}

// Run flushes a record every interval until ctx ends, then flushes the last.
func (r *Recorder) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return r.Flush(time.Now())
		case now := <-t.C:
			if err := r.Flush(now); err != nil {
				return err
			}
		}
	}
}

// Flush appends the interval's record and starts a new interval.
func (r *Recorder) Flush(now time.Time) error {
	r.mu.Lock()
	line, err := r.record(now)
	r.requests, r.errors, r.latency = 0, 0, nil
	r.mu.Unlock()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open metrics file: %w", err)
	}
	// One write of one line: appends from O_APPEND are not interleaved.
	_, werr := f.Write(line)
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("write metrics file: %w", werr)
	}
	if cerr != nil {
		return fmt.Errorf("close metrics file: %w", cerr)
	}
	return nil
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// record renders the EMF object (encoding/json sorts the map keys).
func (r *Recorder) record(now time.Time) ([]byte, error) {
	dimNames := make([]string, 0, len(r.dimensions))
	for k := range r.dimensions {
		dimNames = append(dimNames, k)
	}
	sort.Strings(dimNames)
	metrics := []metricDef{{"Requests", "Count"}, {"Errors", "Count"}}
	doc := map[string]any{"Requests": r.requests, "Errors": r.errors}
	if len(r.latency) > 0 {
		metrics = append(metrics, metricDef{"LatencyMs", "Milliseconds"})
		doc["LatencyMs"] = r.latency
	}
	if r.gauges != nil {
		g := r.gauges()
		names := make([]string, 0, len(g))
		for name := range g {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if v := g[name]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				metrics = append(metrics, metricDef{name, "None"})
				doc[name] = v
			}
		}
	}
	for k, v := range r.dimensions {
		doc[k] = v
	}
	doc["_aws"] = map[string]any{
		"Timestamp": now.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  r.namespace,
			"Dimensions": [][]string{dimNames},
			"Metrics":    metrics,
		}},
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode metrics record: %w", err)
	}
	return append(line, '\n'), nil
}
