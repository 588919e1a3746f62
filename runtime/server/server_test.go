package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/batch"
	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/live"
	"github.com/slm-project/slm/runtime/metrics"
	"github.com/slm-project/slm/runtime/server"
	"github.com/slm-project/slm/runtime/testenv"
)

type fixture struct {
	url  string
	srv  *server.Server
	gate chan struct{} // when non-nil, each batch waits for a value
}

func newFixture(t *testing.T, limits server.Limits, gated bool) *fixture {
	t.Helper()
	lib := testenv.ORTLib(t)
	model, err := live.New(context.Background(), testenv.Bundle(t, "tiny"), func(ctx context.Context, dir string) (*classifier.Classifier, error) {
		return classifier.Open(ctx, dir, classifier.Options{ORTLibrary: lib, IntraOpThreads: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{}
	run, queue := model.Classify, 16
	if gated {
		queue = 2
		f.gate = make(chan struct{})
		run = func(ctx context.Context, texts []string) ([]classifier.Prediction, string, error) {
			<-f.gate
			return model.Classify(ctx, texts)
		}
	}
	b, err := batch.New(run, batch.Options{MaxBatch: 1, QueueSize: queue})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = server.New(model, b, limits, metrics.NewRegistry(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	hs := httptest.NewServer(f.srv.Handler())
	f.url = hs.URL
	t.Cleanup(func() {
		if f.gate != nil {
			close(f.gate)
		}
		hs.Close()
		b.Close()
		model.Close()
	})
	return f
}

var limits = server.Limits{MaxBodyBytes: 4096, MaxTextBytes: 200, MaxTexts: 4, Timeout: 5 * time.Second}

func post(t *testing.T, url, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return resp.StatusCode, out
}

func TestClassify(t *testing.T) {
	f := newFixture(t, limits, false)
	for _, tc := range []struct {
		body string
		n    int
	}{
		{`{"text": "what is my balance"}`, 1},
		{`{"texts": ["set an alarm", "¿qué hora es? 😀", "東京"]}`, 3},
	} {
		status, out := post(t, f.url+"/v1/classify", "application/json; charset=utf-8", tc.body)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d %v", tc.body, status, out)
		}
		results := out["results"].([]any)
		if out["model_version"] != "tiny-test-1" || len(results) != tc.n {
			t.Fatalf("%s: %v", tc.body, out)
		}
		r := results[0].(map[string]any)
		if _, ok := r["label"].(string); !ok || len(r["top_k"].([]any)) != 5 || r["logits"] != nil {
			t.Fatalf("result %v: want label, 5 top-k, no logits", r)
		}
		if timing := out["timing_ms"].(map[string]any); timing["total"].(float64) <= 0 {
			t.Fatalf("timing %v", timing)
		}
	}
}

// TestBadInput sends every kind of bad request: each gets its 4xx and a message.
func TestBadInput(t *testing.T) {
	f := newFixture(t, limits, false)
	for _, tc := range []struct {
		name, contentType, body string
		want                    int
		says                    string
	}{
		{"wrong content type", "text/plain", `{"text":"hi"}`, 415, "application/json"},
		{"no content type", "", `{"text":"hi"}`, 415, "application/json"},
		{"cut short", "application/json", `{"text":`, 400, "ends before its JSON is complete"},
		{"empty body", "application/json", ``, 400, `the request body is empty; send a JSON object: {"text": "..."}`},
		{"missing colon", "application/json", "{\n \"text\" \"hi\"}", 400, `not valid JSON: unexpected '"' after a field name (a missing colon?) at line 2, column 9`},
		{"missing comma", "application/json", `{"texts": ["a" "b"]}`, 400, "(a missing comma?) at line 1, column 16"},
		{"single quotes", "application/json", `{'text': 'hi'}`, 400, "where a field name in double quotes should be"},
		{"not an object", "application/json", `["hi"]`, 400, "the request body is a JSON array, not an object"},
		{"trailing data", "application/json", `{"text":"hi"} {}`, 400, "more after its JSON object"},
		{"invalid UTF-8", "application/json", "{\"text\":\"caf\xe9\"}", 400, "not valid UTF-8"},
		{"unknown field", "application/json", `{"txt":"hi"}`, 400, `unknown field "txt"; the body takes {"text": "..."} or {"texts": ["...", ...]}`},
		{"text not a string", "application/json", `{"text":42}`, 400, `field "text" is a JSON number, which it cannot be`},
		{"texts not an array", "application/json", `{"texts":"hi"}`, 400, `field "texts" is a JSON string`},
		{"texts holds a number", "application/json", `{"texts":["a", 3]}`, 400, `field "texts" is a JSON number`},
		{"both text and texts", "application/json", `{"text":"a","texts":["b"]}`, 400, "not both"},
		{"neither", "application/json", `{}`, 400, "missing"},
		{"null text", "application/json", `{"text":null}`, 400, "missing"},
		{"empty text", "application/json", `{"text":""}`, 400, "empty"},
		{"blank text", "application/json", `{"text":" \t\n"}`, 400, "empty"},
		{"empty list", "application/json", `{"texts":[]}`, 400, "empty"},
		{"empty text in list", "application/json", `{"texts":["ok",""]}`, 400, "text 1 is empty"},
		{"too many texts", "application/json", `{"texts":["a","b","c","d","e"]}`, 413, "too many texts"},
		{"text too long", "application/json", `{"text":"` + strings.Repeat("a", 201) + `"}`, 413, "at most 200"},
		{"body too large", "application/json", `{"text":"` + strings.Repeat("a", 5000) + `"}`, 413, "over 4096 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := post(t, f.url+"/v1/classify", tc.contentType, tc.body)
			msg, _ := out["error"].(string)
			if status != tc.want || !strings.Contains(msg, tc.says) {
				t.Fatalf("status %d %q, want %d saying %q", status, msg, tc.want, tc.says)
			}
			// The decoder's internals (Go types, package names) are not a
			// client's vocabulary.
			for _, internal := range []string{"Go value", "Go struct", "classifyRequest", "server.", "json: "} {
				if strings.Contains(msg, internal) {
					t.Fatalf("message %q leaks %q", msg, internal)
				}
			}
		})
	}
	resp, err := http.Get(f.url + "/v1/classify")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET /v1/classify: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// The server still answers after all that.
	if status, _ := post(t, f.url+"/v1/classify", "application/json", `{"text":"still alive"}`); status != 200 {
		t.Fatalf("good request after bad ones: %d", status)
	}
}

// TestUnknownPath: a path the API does not have answers 404 in JSON, like
// every other error, naming the paths it does have.
func TestUnknownPath(t *testing.T) {
	f := newFixture(t, limits, false)
	for _, path := range []string{"/", "/v1/classifyy", "/v2/classify", "/favicon.ico"} {
		resp, err := http.Get(f.url + path)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		msg, _ := out["error"].(string)
		if err != nil || resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" ||
			!strings.Contains(msg, strconv.Quote(path)) || !strings.Contains(msg, "POST /v1/classify") {
			t.Errorf("GET %s: %d %q %v (%v)", path, resp.StatusCode, resp.Header.Get("Content-Type"), out, err)
		}
	}
}

// TestAnswerFields: every result names the returned label's confidence, the
// best in-scope candidate and the threshold.
func TestAnswerFields(t *testing.T) {
	f := newFixture(t, limits, false)
	status, out := post(t, f.url+"/v1/classify", "application/json", `{"text":"what is my balance"}`)
	if status != http.StatusOK {
		t.Fatalf("status %d %v", status, out)
	}
	r := out["results"].([]any)[0].(map[string]any)
	best, _ := r["best_in_scope"].(map[string]any)
	if _, ok := r["confidence"].(float64); !ok || best == nil || best["label"] == "oos" || r["threshold"] != 0.5 || r["score"] != nil {
		t.Fatalf("result %v: want confidence, best_in_scope, threshold 0.5, no score", r)
	}
	// The tiny model's random head is never 50% sure: out of scope because
	// the best in-scope candidate is under the threshold.
	if r["label"] != "oos" || r["out_of_scope"] != true || best["score"].(float64) >= 0.5 {
		t.Fatalf("result %v", r)
	}
}

// TestOverloadAndDeadline: with the model held, a full queue answers 429 and
// a request past its deadline answers 503.
func TestOverloadAndDeadline(t *testing.T) {
	short := limits
	short.Timeout = 300 * time.Millisecond
	f := newFixture(t, short, true)
	statuses := make(chan int, 3)
	for range 3 {
		go func() {
			status, _ := post(t, f.url+"/v1/classify", "application/json", `{"text":"queued"}`)
			statuses <- status
		}()
	}
	got := map[int]int{}
	for range 3 {
		got[<-statuses]++
	}
	// The queue holds 2: the third is refused at once; the two queued time out.
	if got[http.StatusTooManyRequests] != 1 || got[http.StatusServiceUnavailable] != 2 {
		t.Fatalf("statuses %v: want one 429 and two 503", got)
	}
}

func TestProbesAndMetrics(t *testing.T) {
	f := newFixture(t, limits, false)
	post(t, f.url+"/v1/classify", "application/json", `{"text":"hello"}`)
	post(t, f.url+"/v1/classify", "application/json", `{"text":""}`)
	get := func(path string) (int, string) {
		resp, err := http.Get(f.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := get("/healthz"); status != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz %d %s", status, body)
	}
	if status, body := get("/readyz"); status != 200 || !strings.Contains(body, "tiny-test-1") {
		t.Fatalf("readyz %d %s", status, body)
	}
	status, body := get("/metrics")
	for _, want := range []string{
		`slm_edge_requests_total{code="200"} 1`,
		`slm_edge_requests_total{code="400"} 1`,
		`slm_edge_errors_total{reason="400"} 1`,
		`slm_edge_request_duration_seconds_count 2`,
		`slm_edge_queue_depth 0`,
		`slm_edge_model_info{model_version="tiny-test-1"} 1`,
		"# TYPE slm_edge_request_duration_seconds histogram",
	} {
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("metrics (%d) lack %q:\n%s", status, want, body)
		}
	}
	f.srv.SetReady(false)
	if status, _ := get("/readyz"); status != 503 {
		t.Fatalf("draining readyz %d, want 503", status)
	}
}

func TestReloadEndpoint(t *testing.T) {
	f := newFixture(t, limits, false)
	bad := testenv.CopyBundle(t, "tiny")
	if err := os.WriteFile(filepath.Join(bad, "labels.json"), []byte(`["x"]`), 0o644); err != nil {
		t.Fatal(err)
	}
	status, out := post(t, f.url+"/v1/reload", "application/json", `{"bundle":"`+bad+`"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(out["error"].(string), "digest mismatch") || out["model_version"] != "tiny-test-1" {
		t.Fatalf("bad reload: %d %v", status, out)
	}
	good := testenv.CopyBundle(t, "tiny")
	if status, out := post(t, f.url+"/v1/reload", "application/json", `{"bundle":"`+good+`"}`); status != 200 {
		t.Fatalf("good reload: %d %v", status, out)
	}
	if status, _ := post(t, f.url+"/v1/classify", "application/json", `{"text":"after reload"}`); status != 200 {
		t.Fatalf("classify after reload: %d", status)
	}
}
