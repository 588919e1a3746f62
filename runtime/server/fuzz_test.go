package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest: any body and content type gets a status from decode and
// validation, never a panic, and only a well-formed request reaches the model.
func FuzzRequest(f *testing.F) {
	for _, seed := range []struct{ ct, body string }{
		{"application/json", `{"text":"hello"}`},
		{"application/json", `{"texts":["a","b"]}`},
		{"application/json; charset=utf-8", "{\"text\":\"caf\xe9\"}"},
		{"text/plain", `{"text":"x"}`},
		{"application/json", `{"text":"\ud800"}`},
		{"application/json", `[{"text":1}]`},
		{"application/json", `{"texts":null,"text":null}`},
	} {
		f.Add(seed.ct, seed.body)
	}
	s := &Server{limits: Limits{MaxBodyBytes: 512, MaxTextBytes: 64, MaxTexts: 4}}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest(http.MethodPost, "/v1/classify", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		var req classifyRequest
		if status, msg := decodeJSON(w, r, s.limits.MaxBodyBytes, &req, classifyFields); status != 0 {
			if status < 400 || status > 499 || msg == "" || strings.Contains(msg, "Go value") || strings.Contains(msg, "classifyRequest") {
				t.Fatalf("decode: status %d %q", status, msg)
			}
			return
		}
		texts, status, msg := s.validate(req)
		if status != 0 {
			if status < 400 || status > 499 || msg == "" {
				t.Fatalf("validate: status %d %q", status, msg)
			}
			return
		}
		if len(texts) == 0 || len(texts) > 4 {
			t.Fatalf("%d texts passed validation", len(texts))
		}
		for _, text := range texts {
			if strings.TrimSpace(text) == "" || len(text) > 64 {
				t.Fatalf("text %q passed validation", text)
			}
		}
	})
}
