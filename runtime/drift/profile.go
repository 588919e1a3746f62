// Package drift compares live traffic with what a model was evaluated on.
//
// A Profile is the distribution of four features of a model's answers over a
// set of texts: the top-1 softmax confidence, the answered label, the
// out-of-scope rate and the input length in tokens. The training step writes
// one into the bundle (profile.json, on its held-out split) and `slm step
// evaluate` writes one for the test split; slm-edge keeps the same counts over
// a sliding window of live answers (Window: bounded memory, no texts kept) and
// reports the population stability index (PSI) of each feature against the
// reference and the change of the out-of-scope rate.
//
// The bins are fixed here (not learnt from the data), so any two profiles of
// the same format version compare bin for bin. The Python writer
// (stdlib/python/slm_train/profile.py) uses the same bins.
package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/slm-project/slm/runtime/answer"
)

// Format and FormatVersion identify profile.json.
const (
	Format        = "slm-drift-profile"
	FormatVersion = 1
	// File is the profile's name in a bundle and in an evaluation's output.
	File = "profile.json"
)

// ConfidenceBins is how many equal-width bins split [0, 1] of top-1 confidence.
const ConfidenceBins = 10

// TokenBounds are the upper bounds (exclusive) of the input-length bins, in
// tokens with [CLS] and [SEP]; a last bin holds the rest.
var TokenBounds = []int{6, 8, 10, 12, 14, 16, 20, 28, 40, 64}

// Profile is profile.json.
type Profile struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	// Split names the texts it was computed on ("test", "validation", "live").
	Split    string `json:"split"`
	Examples int    `json:"examples"`
	// Confidence counts top-1 softmax confidence in ConfidenceBins bins.
	Confidence []int `json:"confidence"`
	// Tokens counts input lengths in the bins of TokenBounds.
	TokenBounds []int `json:"token_bounds"`
	Tokens      []int `json:"tokens"`
	// Labels counts answered labels (the out-of-scope label included).
	Labels         map[string]int `json:"labels"`
	OutOfScopeRate float64        `json:"out_of_scope_rate"`
}

// Observation is what one answer contributes: no text.
type Observation struct {
	Label      string
	Confidence float32 // top-1 softmax probability, whatever the answer
	OutOfScope bool
	Tokens     int
}

func confidenceBin(c float32) int {
	b := int(float64(c) * ConfidenceBins)
	return min(max(b, 0), ConfidenceBins-1)
}

func tokenBin(n int) int {
	return sort.Search(len(TokenBounds), func(i int) bool { return n < TokenBounds[i] })
}

// Builder accumulates a Profile.
type Builder struct {
	p   Profile
	oos int
}

// NewBuilder starts an empty profile of the named split.
func NewBuilder(split string) *Builder {
	return &Builder{p: Profile{
		Format: Format, FormatVersion: FormatVersion, Split: split,
		Confidence: make([]int, ConfidenceBins), TokenBounds: append([]int(nil), TokenBounds...),
		Tokens: make([]int, len(TokenBounds)+1), Labels: map[string]int{},
	}}
}

// Add counts one answer.
func (b *Builder) Add(o Observation) {
	b.p.Examples++
	b.p.Confidence[confidenceBin(o.Confidence)]++
	b.p.Tokens[tokenBin(o.Tokens)]++
	b.p.Labels[o.Label]++
	if o.OutOfScope {
		b.oos++
	}
}

// Profile returns the profile so far.
func (b *Builder) Profile() Profile {
	p := b.p
	p.Confidence = append([]int(nil), p.Confidence...)
	p.Tokens = append([]int(nil), p.Tokens...)
	p.Labels = make(map[string]int, len(b.p.Labels))
	for k, v := range b.p.Labels {
		p.Labels[k] = v
	}
	if p.Examples > 0 {
		p.OutOfScopeRate = float64(b.oos) / float64(p.Examples)
	}
	return p
}

// Validate checks a profile read from a file.
func (p *Profile) Validate() error {
	var probs []error
	if p.Format != Format || p.FormatVersion != FormatVersion {
		probs = append(probs, fmt.Errorf("format %q version %d, want %q version %d", p.Format, p.FormatVersion, Format, FormatVersion))
	}
	if p.Examples < 1 {
		probs = append(probs, fmt.Errorf("examples is %d, want at least 1", p.Examples))
	}
	if len(p.Confidence) != ConfidenceBins || sum(p.Confidence) != p.Examples {
		probs = append(probs, fmt.Errorf("confidence has %d bins counting %d, want %d bins counting the %d examples", len(p.Confidence), sum(p.Confidence), ConfidenceBins, p.Examples))
	}
	if !equalInts(p.TokenBounds, TokenBounds) || len(p.Tokens) != len(TokenBounds)+1 || sum(p.Tokens) != p.Examples {
		probs = append(probs, fmt.Errorf("token_bounds %v with %d counts, want %v with %d counts summing to the examples", p.TokenBounds, len(p.Tokens), TokenBounds, len(TokenBounds)+1))
	}
	labels := 0
	for _, n := range p.Labels {
		labels += n
	}
	if labels != p.Examples {
		probs = append(probs, fmt.Errorf("labels count %d answers, want the %d examples", labels, p.Examples))
	}
	if !(p.OutOfScopeRate >= 0 && p.OutOfScopeRate <= 1) {
		probs = append(probs, fmt.Errorf("out_of_scope_rate %v, want a fraction", p.OutOfScopeRate))
	}
	return errors.Join(probs...)
}

// Load reads and validates a profile file.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read drift profile: %w", err)
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("drift profile %s: %w", path, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("drift profile %s: %w", path, err)
	}
	return &p, nil
}

// PSI is the population stability index of live against reference counts
// over the same bins: the sum over bins of (l - r) * ln(l / r), l and r the
// bins' fractions, each floored at PSIFloor so an empty bin stays finite
// (two empty bins add nothing). Under 0.1 is usually read as no shift, over
// 0.25 as a large one.
func PSI(reference, live []int) float64 {
	if len(reference) != len(live) || len(live) == 0 {
		return math.NaN()
	}
	rt, lt := float64(sum(reference)), float64(sum(live))
	if rt == 0 || lt == 0 {
		return math.NaN()
	}
	psi := 0.0
	for i := range reference {
		r := max(float64(reference[i])/rt, PSIFloor)
		l := max(float64(live[i])/lt, PSIFloor)
		psi += (l - r) * math.Log(l/r)
	}
	return psi
}

// PSIFloor is the smallest fraction PSI gives a bin.
const PSIFloor = 1e-4

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FromAnswer is the observation an answer makes: its label, top-1
// confidence (whatever the answer), out-of-scope flag and token count.
func FromAnswer(a answer.Answer) Observation {
	o := Observation{Label: a.Label, OutOfScope: a.OutOfScope, Tokens: a.Tokens}
	if len(a.TopK) > 0 {
		o.Confidence = a.TopK[0].Score
	}
	return o
}
