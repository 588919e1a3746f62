package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slm-project/slm/runtime/answer"
)

// classifyRequest is the body of POST /v1/classify: exactly one of text, texts.
type classifyRequest struct {
	Text  *string  `json:"text"`
	Texts []string `json:"texts"`
}

// classifyFields describes classifyRequest in error messages.
const classifyFields = `{"text": "..."} or {"texts": ["...", ...]}`

type classifyResponse struct {
	ModelVersion string          `json:"model_version"`
	Results      []answer.Answer `json:"results"`
	TimingMS     timing          `json:"timing_ms"`
}

type timing struct {
	Total     float64 `json:"total"`
	Inference float64 `json:"queue_and_inference"`
}

var latencyBuckets = []float64{.001, .0025, .005, .0075, .01, .015, .02, .03, .05, .075, .1, .25, .5, 1, 2.5, 5}

func (s *Server) classify(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status, body := s.classifyStatus(w, r, start)
	latency := time.Since(start)
	elapsed := latency.Seconds()
	if s.observe != nil {
		s.observe(status, latency)
	}
	s.metrics.Add("slm_edge_requests_total", "Classification requests by HTTP status.", 1, "code", strconv.Itoa(status))
	s.metrics.Observe("slm_edge_request_duration_seconds", "Classification request latency.", latencyBuckets, elapsed)
	if status != http.StatusOK {
		s.metrics.Add("slm_edge_errors_total", "Requests answered with an error, by reason.", 1, "reason", strconv.Itoa(status))
		s.log.Warn("classify refused", "status", status, "error", body.(errorBody).Error, "remote", r.RemoteAddr)
	}
	writeJSON(w, status, body)
}

// classifyStatus validates, classifies and returns the status and body.
func (s *Server) classifyStatus(w http.ResponseWriter, r *http.Request, start time.Time) (int, any) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return http.StatusMethodNotAllowed, errorBody{"method " + r.Method + " not allowed; use POST"}
	}
	var req classifyRequest
	if status, msg := decodeJSON(w, r, s.limits.MaxBodyBytes, &req, classifyFields); status != 0 {
		return status, errorBody{msg}
	}
	texts, status, msg := s.validate(req)
	if status != 0 {
		return status, errorBody{msg}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.Timeout)
	defer cancel()
	inferStart := time.Now()
	preds, version, err := s.batcher.Classify(ctx, texts)
	if err != nil {
		status, msg := statusFor(err)
		return status, errorBody{msg}
	}
	resp := classifyResponse{ModelVersion: version, Results: make([]answer.Answer, len(preds))}
	for i, p := range preds {
		p.Logits = nil // the API's answers leave the raw logits out
		resp.Results[i] = p
	}
	resp.TimingMS = timing{
		Total:     float64(time.Since(start).Microseconds()) / 1000,
		Inference: float64(time.Since(inferStart).Microseconds()) / 1000,
	}
	return http.StatusOK, resp
}

// validate returns the texts of a well-formed request, or a 4xx and message.
func (s *Server) validate(req classifyRequest) ([]string, int, string) {
	var texts []string
	switch {
	case req.Text != nil && req.Texts != nil:
		return nil, http.StatusBadRequest, `give "text" or "texts", not both`
	case req.Text != nil:
		texts = []string{*req.Text}
	case req.Texts != nil:
		texts = req.Texts
	default:
		return nil, http.StatusBadRequest, `missing "text" (a string) or "texts" (an array of strings)`
	}
	if len(texts) == 0 {
		return nil, http.StatusBadRequest, `"texts" is empty`
	}
	if len(texts) > s.limits.MaxTexts {
		return nil, http.StatusRequestEntityTooLarge,
			"too many texts: " + strconv.Itoa(len(texts)) + ", at most " + strconv.Itoa(s.limits.MaxTexts) + " per request"
	}
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, http.StatusBadRequest, "text " + strconv.Itoa(i) + " is empty"
		}
		if len(t) > s.limits.MaxTextBytes {
			return nil, http.StatusRequestEntityTooLarge,
				"text " + strconv.Itoa(i) + " is " + strconv.Itoa(len(t)) + " bytes, at most " + strconv.Itoa(s.limits.MaxTextBytes)
		}
	}
	return texts, 0, ""
}
