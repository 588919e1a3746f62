package drift

import (
	"sort"
	"sync"
)

// Window keeps the counts of the last Size answers, as a ring of compact
// records (4 bytes each: no text), and compares them with a reference
// profile. Memory is bounded by Size plus the reference's labels. Safe for
// concurrent use.
type Window struct {
	mu     sync.Mutex
	ref    *Profile
	labels map[string]uint16 // reference labels, then labels seen live, up to maxLabels
	names  []string
	ring   []record
	next   int
	full   bool
	conf   []int
	tokens []int
	lab    []int
	oos    int
	total  uint64 // answers observed since start
}

type record struct {
	label  uint16
	conf   uint8
	tokens uint8
	oos    bool
}

// maxLabels bounds the label table: live labels beyond it (a model swapped
// for one with other labels) share the "other" slot.
const maxLabels = 4096

const otherLabel = "\x00other"

// NewWindow keeps the last size answers and compares them with ref.
func NewWindow(ref *Profile, size int) *Window {
	w := &Window{ref: ref, labels: map[string]uint16{}, ring: make([]record, size),
		conf: make([]int, ConfidenceBins), tokens: make([]int, len(TokenBounds)+1)}
	names := make([]string, 0, len(ref.Labels))
	for l := range ref.Labels {
		names = append(names, l)
	}
	sort.Strings(names)
	for _, l := range append(names, otherLabel) {
		w.labelID(l)
	}
	return w
}

func (w *Window) labelID(l string) uint16 {
	if id, ok := w.labels[l]; ok {
		return id
	}
	if len(w.names) >= maxLabels {
		return w.labels[otherLabel]
	}
	id := uint16(len(w.names))
	w.labels[l] = id
	w.names = append(w.names, l)
	w.lab = append(w.lab, 0)
	return id
}

// Add counts one answer, forgetting the oldest when the window is full.
func (w *Window) Add(o Observation) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.ring) == 0 {
		return
	}
	if w.full {
		old := w.ring[w.next]
		w.conf[old.conf]--
		w.tokens[old.tokens]--
		w.lab[old.label]--
		if old.oos {
			w.oos--
		}
	}
	r := record{label: w.labelID(o.Label), conf: uint8(confidenceBin(o.Confidence)), tokens: uint8(tokenBin(o.Tokens)), oos: o.OutOfScope}
	w.ring[w.next] = r
	w.conf[r.conf]++
	w.tokens[r.tokens]++
	w.lab[r.label]++
	if r.oos {
		w.oos++
	}
	w.total++
	w.next++
	if w.next == len(w.ring) {
		w.next, w.full = 0, true
	}
}

// Drift is the window's comparison with the reference.
type Drift struct {
	Texts           int     `json:"texts"` // answers in the window
	ConfidencePSI   float64 `json:"confidence_psi"`
	LabelPSI        float64 `json:"label_psi"`
	TokensPSI       float64 `json:"tokens_psi"`
	OutOfScopeRate  float64 `json:"out_of_scope_rate"`
	OutOfScopeDelta float64 `json:"out_of_scope_rate_change"` // live minus reference, a fraction
}

// Stats is what GET /v1/stats shows: the window's own profile and its drift.
type Stats struct {
	WindowSize int     `json:"window_size"`
	Observed   uint64  `json:"observed"` // answers since start
	Reference  RefInfo `json:"reference"`
	Live       Profile `json:"live"`
	// Drift is null while the window is empty.
	Drift *Drift `json:"drift"`
}

// RefInfo names the reference profile.
type RefInfo struct {
	Split          string  `json:"split"`
	Examples       int     `json:"examples"`
	OutOfScopeRate float64 `json:"out_of_scope_rate"`
}

func (w *Window) texts() int {
	if w.full {
		return len(w.ring)
	}
	return w.next
}

// Drift compares the window with the reference; false while the window is
// empty.
func (w *Window) Drift() (Drift, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.drift()
	if d == nil {
		return Drift{}, false
	}
	return *d, true
}

func (w *Window) drift() *Drift {
	n := w.texts()
	if n == 0 {
		return nil
	}
	d := &Drift{Texts: n}
	d.ConfidencePSI = PSI(w.ref.Confidence, w.conf)
	d.TokensPSI = PSI(w.ref.Tokens, w.tokens)
	refLab := make([]int, len(w.names))
	for i, l := range w.names {
		refLab[i] = w.ref.Labels[l]
	}
	d.LabelPSI = PSI(refLab, w.lab)
	d.OutOfScopeRate = float64(w.oos) / float64(n)
	d.OutOfScopeDelta = d.OutOfScopeRate - w.ref.OutOfScopeRate
	return d
}

// Stats returns the window's profile and drift.
func (w *Window) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	live := Profile{Format: Format, FormatVersion: FormatVersion, Split: "live", Examples: w.texts(),
		Confidence: append([]int(nil), w.conf...), TokenBounds: append([]int(nil), TokenBounds...),
		Tokens: append([]int(nil), w.tokens...), Labels: map[string]int{}}
	for i, l := range w.names {
		if w.lab[i] > 0 {
			name := l
			if l == otherLabel {
				name = "(other)"
			}
			live.Labels[name] = w.lab[i]
		}
	}
	if live.Examples > 0 {
		live.OutOfScopeRate = float64(w.oos) / float64(live.Examples)
	}
	return Stats{
		WindowSize: len(w.ring), Observed: w.total,
		Reference: RefInfo{Split: w.ref.Split, Examples: w.ref.Examples, OutOfScopeRate: w.ref.OutOfScopeRate},
		Live:      live, Drift: w.drift(),
	}
}
