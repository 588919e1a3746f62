// Package server is slm-edge's HTTP/JSON API: POST /v1/classify, the health
// and readiness probes, Prometheus metrics, and a local reload endpoint. It
// validates every request before it reaches the model and never lets a bad
// input crash the process.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/slm-project/slm/runtime/batch"
	"github.com/slm-project/slm/runtime/live"
	"github.com/slm-project/slm/runtime/metrics"
)

// Limits bound what one request may ask for.
type Limits struct {
	MaxBodyBytes int64         // request body; 413 beyond it
	MaxTextBytes int           // one text, in bytes of UTF-8; 413 beyond it
	MaxTexts     int           // texts in one request; 413 beyond it
	Timeout      time.Duration // per request, queueing and inference together; 503 beyond it
}

// DefaultLimits suit short utterances on a small device.
var DefaultLimits = Limits{MaxBodyBytes: 1 << 20, MaxTextBytes: 4096, MaxTexts: 64, Timeout: 5 * time.Second}

// Server answers the API. Create it with New and serve Handler().
type Server struct {
	model   *live.Model
	batcher *batch.Batcher
	limits  Limits
	log     *slog.Logger
	metrics *metrics.Registry
	ready   atomic.Bool
	observe func(status int, latency time.Duration)
}

// New wires a server around a live model and its batcher. The server is
// ready at once; SetReady(false) marks it draining on shutdown.
func New(model *live.Model, b *batch.Batcher, limits Limits, reg *metrics.Registry, log *slog.Logger) *Server {
	s := &Server{model: model, batcher: b, limits: limits, log: log, metrics: reg}
	s.ready.Store(true)
	reg.GaugeFunc("slm_edge_queue_depth", "Texts admitted to the batch queue and not yet answered.",
		func() float64 { return float64(b.QueueDepth()) })
	s.noteModel()
	return s
}

// OnRequest sets a function called after each classification request with
// its status and latency (the CloudWatch metrics file). Call before serving.
func (s *Server) OnRequest(fn func(status int, latency time.Duration)) { s.observe = fn }

// SetReady sets what /readyz answers.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Reload swaps in the bundle at dir (the current one when dir is ""); on
// failure the old model keeps serving and the error is returned and logged.
func (s *Server) Reload(ctx context.Context, dir string) error {
	if dir == "" {
		dir = s.model.Dir()
	}
	start := time.Now()
	err := s.model.Reload(ctx, dir)
	if err != nil {
		s.metrics.Add("slm_edge_reloads_total", "Model reloads by result.", 1, "result", "error")
		s.log.Error("reload failed; the previous model keeps serving", "bundle", dir, "error", err.Error(), "model_version", s.model.Version())
		return err
	}
	s.metrics.Add("slm_edge_reloads_total", "Model reloads by result.", 1, "result", "ok")
	s.noteModel()
	s.log.Info("model reloaded", "bundle", dir, "model_version", s.model.Version(), "seconds", time.Since(start).Seconds())
	return nil
}

func (s *Server) noteModel() {
	s.metrics.Reset("slm_edge_model_info")
	s.metrics.Set("slm_edge_model_info", "The model version being served (value 1).", 1, "model_version", s.model.Version())
}

// Handler routes the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/classify", s.classify)
	mux.HandleFunc("/v1/reload", s.reload)
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/readyz", s.readyz)
	mux.HandleFunc("/metrics", s.serveMetrics)
	mux.HandleFunc("/", notFound)
	return s.recoverPanics(mux)
}

// recoverPanics turns a panic in a handler into a 500 and a log line, so one
// request can never take the process down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "path", r.URL.Path, "panic", v)
				s.metrics.Add("slm_edge_errors_total", "Requests answered with an error, by reason.", 1, "reason", "panic")
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	version := s.model.Version()
	if !s.ready.Load() || version == "" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "model_version": version})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "model_version": version})
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := s.metrics.WriteText(w); err != nil {
		s.log.Warn("write metrics", "error", err.Error())
	}
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodPost) {
		return
	}
	var req struct {
		Bundle string `json:"bundle"`
	}
	if r.ContentLength != 0 {
		if status, msg := decodeJSON(w, r, s.limits.MaxBodyBytes, &req, `{"bundle": "DIR"} (or no body)`); status != 0 {
			writeError(w, status, msg)
			return
		}
	}
	if err := s.Reload(r.Context(), req.Bundle); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{
			"error": err.Error(), "model_version": s.model.Version(),
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "reloaded", "model_version": s.model.Version()})
}

// statusFor maps a classification error to an HTTP status.
func statusFor(err error) (int, string) {
	switch {
	case errors.Is(err, batch.ErrOverloaded):
		return http.StatusTooManyRequests, "overloaded: " + err.Error() + "; retry later"
	case errors.Is(err, batch.ErrClosed), errors.Is(err, live.ErrNoModel):
		return http.StatusServiceUnavailable, "not serving: " + err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "deadline exceeded before the model answered"
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled"
	default:
		return http.StatusInternalServerError, "inference failed: " + err.Error()
	}
}
