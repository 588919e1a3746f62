// Package metrics keeps the server's counters, gauges and histograms and
// writes them in the Prometheus text exposition format (version 0.0.4). It is
// small on purpose: a device needs a handful of series, not a client library.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Registry holds every series. Safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

type kind string

const (
	counter   kind = "counter"
	gauge     kind = "gauge"
	histogram kind = "histogram"
)

type family struct {
	name, help string
	kind       kind
	buckets    []float64
	series     map[string]*series // key: rendered label set
	gaugeFunc  func() float64
}

type series struct {
	labels string
	value  float64
	counts []uint64 // histogram: per bucket (non-cumulative), then +Inf
	sum    float64
	count  uint64
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

func (r *Registry) family(name, help string, k kind, buckets []float64) *family {
	f, ok := r.families[name]
	if !ok {
		f = &family{name: name, help: help, kind: k, buckets: buckets, series: map[string]*series{}}
		r.families[name] = f
	}
	return f
}

func (f *family) get(labels []string) *series {
	key := renderLabels(labels)
	s, ok := f.series[key]
	if !ok {
		s = &series{labels: key}
		if f.kind == histogram {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[key] = s
	}
	return s
}

// Add adds v to a counter; labels are name, value pairs.
func (r *Registry) Add(name, help string, v float64, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.family(name, help, counter, nil).get(labels).value += v
}

// Set sets a gauge.
func (r *Registry) Set(name, help string, v float64, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.family(name, help, gauge, nil).get(labels).value = v
}

// GaugeFunc registers a gauge read when the metrics are written (queue depth).
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.family(name, help, gauge, nil).gaugeFunc = fn
}

// Reset drops every series of a family (a gauge whose label changed, such as
// the model version after a reload).
func (r *Registry) Reset(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		f.series = map[string]*series{}
	}
}

// Observe records v in a histogram with the given upper bucket bounds.
func (r *Registry) Observe(name, help string, buckets []float64, v float64, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.family(name, help, histogram, buckets).get(labels)
	i := sort.SearchFloat64s(r.families[name].buckets, v)
	s.counts[i]++
	s.sum += v
	s.count++
}

// WriteText writes every family, sorted by name and label set.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := r.families[n]
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
		if f.gaugeFunc != nil {
			fmt.Fprintf(&b, "%s %s\n", f.name, formatFloat(f.gaugeFunc()))
			continue
		}
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s := f.series[k]
			if f.kind != histogram {
				fmt.Fprintf(&b, "%s%s %s\n", f.name, braces(s.labels), formatFloat(s.value))
				continue
			}
			var cum uint64
			for i, le := range f.buckets {
				cum += s.counts[i]
				fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, braces(join(s.labels, `le="`+formatFloat(le)+`"`)), cum)
			}
			cum += s.counts[len(f.buckets)]
			fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, braces(join(s.labels, `le="+Inf"`)), cum)
			fmt.Fprintf(&b, "%s_sum%s %s\n", f.name, braces(s.labels), formatFloat(s.sum))
			fmt.Fprintf(&b, "%s_count%s %d\n", f.name, braces(s.labels), s.count)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderLabels(pairs []string) string {
	if len(pairs)%2 != 0 {
		pairs = append(pairs, "")
	}
	parts := make([]string, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		parts = append(parts, pairs[i]+`="`+escapeValue(pairs[i+1])+`"`)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

func braces(s string) string {
	if s == "" {
		return ""
	}
	return "{" + s + "}"
}

var valueEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeValue(s string) string { return valueEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
