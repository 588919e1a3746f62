package server

import (
	"errors"
	"io/fs"
	"math"
	"net/http"
	"path/filepath"

	"github.com/slm-project/slm/runtime/drift"
)

// DriftOptions configure the drift statistics (runtime/drift).
type DriftOptions struct {
	// Window is how many recent answers the statistics cover; 0 turns them off.
	Window int
	// MinTexts is how many answers the window needs before drift is reported
	// (fewer give PSI values that are mostly sampling noise); at most Window.
	MinTexts int
	// Reference is a profile file to compare with; "" uses the served
	// bundle's profile.json (and follows reloads).
	Reference string
}

// SetDrift turns the drift statistics on with a reference profile loaded now
// (and again after each reload when it comes from the bundle). A bundle
// without profile.json leaves them off, logged, not an error.
func (s *Server) SetDrift(opts DriftOptions) error {
	s.driftOpts = opts
	if opts.Window <= 0 {
		return nil
	}
	s.driftOpts.MinTexts = min(max(opts.MinTexts, 1), opts.Window)
	for _, m := range []struct{ name, help string }{
		{"slm_edge_drift_confidence_psi", "Population stability index of top-1 confidence, live window against the reference profile."},
		{"slm_edge_drift_label_psi", "Population stability index of answered labels, live window against the reference profile."},
		{"slm_edge_drift_tokens_psi", "Population stability index of input length in tokens, live window against the reference profile."},
		{"slm_edge_drift_out_of_scope_rate_change", "Out-of-scope rate of the live window minus the reference's (a fraction)."},
		{"slm_edge_out_of_scope_rate", "Out-of-scope rate of the live window."},
	} {
		name := m.name
		s.metrics.GaugeFunc(name, m.help+" NaN until the window holds enough answers.", func() float64 { return s.driftValue(name) })
	}
	s.metrics.GaugeFunc("slm_edge_drift_window_texts", "Answers in the drift window.", func() float64 {
		if w := s.drift.Load(); w != nil {
			return float64(w.Stats().Live.Examples)
		}
		return 0
	})
	return s.loadDriftReference()
}

// loadDriftReference (re)starts the window against the configured reference
// or the served bundle's profile.json.
func (s *Server) loadDriftReference() error {
	if s.driftOpts.Window <= 0 {
		return nil
	}
	path := s.driftOpts.Reference
	if path == "" {
		path = filepath.Join(s.model.Dir(), drift.File)
	}
	ref, err := drift.Load(path)
	if err != nil {
		s.drift.Store(nil)
		if s.driftOpts.Reference == "" && errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("drift statistics off: the bundle has no reference profile", "file", path)
			return nil
		}
		return err
	}
	s.drift.Store(drift.NewWindow(ref, s.driftOpts.Window))
	s.log.Info("drift statistics on", "reference", path, "reference_split", ref.Split, "reference_examples", ref.Examples, "window", s.driftOpts.Window)
	return nil
}

// DriftNow is the current drift when the window holds enough answers.
func (s *Server) DriftNow() (drift.Drift, bool) {
	w := s.drift.Load()
	if w == nil {
		return drift.Drift{}, false
	}
	d, ok := w.Drift()
	if !ok || d.Texts < s.driftOpts.MinTexts {
		return drift.Drift{}, false
	}
	return d, true
}

func (s *Server) driftValue(name string) float64 {
	d, ok := s.DriftNow()
	if !ok {
		return math.NaN()
	}
	switch name {
	case "slm_edge_drift_confidence_psi":
		return d.ConfidencePSI
	case "slm_edge_drift_label_psi":
		return d.LabelPSI
	case "slm_edge_drift_tokens_psi":
		return d.TokensPSI
	case "slm_edge_drift_out_of_scope_rate_change":
		return d.OutOfScopeDelta
	default:
		return d.OutOfScopeRate
	}
}

// stats answers GET /v1/stats: the live window's profile and its drift
// against the reference (drift null until the window holds MinTexts answers).
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	win := s.drift.Load()
	if win == nil {
		writeError(w, http.StatusNotFound, "drift statistics are off: the served bundle has no "+drift.File+
			" and no --drift-reference was given (or --drift-window is 0)")
		return
	}
	st := win.Stats()
	if st.Drift != nil && st.Drift.Texts < s.driftOpts.MinTexts {
		st.Drift = nil
	}
	writeJSON(w, http.StatusOK, struct {
		ModelVersion string `json:"model_version"`
		MinTexts     int    `json:"min_texts"`
		drift.Stats
	}{s.model.Version(), s.driftOpts.MinTexts, st})
}

// EMFDrift is the drift for the CloudWatch EMF records: metric name to value,
// empty until the window holds enough answers.
func (s *Server) EMFDrift() map[string]float64 {
	d, ok := s.DriftNow()
	if !ok {
		return nil
	}
	return map[string]float64{
		"DriftConfidencePSI":   d.ConfidencePSI,
		"DriftLabelPSI":        d.LabelPSI,
		"DriftTokensPSI":       d.TokensPSI,
		"OutOfScopeRateChange": d.OutOfScopeDelta,
	}
}
