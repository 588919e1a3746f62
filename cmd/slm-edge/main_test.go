package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/testenv"
)

// syncBuffer is a log sink the server writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// find returns the first JSON log line whose msg is msg.
func (b *syncBuffer) find(msg string) map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
			return line
		}
	}
	return nil
}

func (b *syncBuffer) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if line := b.find(msg); line != nil {
			return line
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t.Fatalf("no %q log line; log:\n%s", msg, b.buf.String())
	return nil
}

func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "slm-edge dev (go") {
		t.Fatalf("exit %d, %q %q", code, out.String(), errOut.String())
	}
}

func TestClassifyCommand(t *testing.T) {
	t.Setenv("SLM_ORT_LIB", testenv.ORTLib(t))
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"classify", "--bundle", testenv.Bundle(t, "tiny"), "what is my balance", "set an alarm"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["text"] != "what is my balance" || first["model_version"] != "tiny-test-1" || first["label"] == nil || first["logits"] != nil {
		t.Fatalf("line %v", first)
	}
}

func TestCommandErrors(t *testing.T) {
	t.Setenv("SLM_ORT_LIB", testenv.ORTLib(t))
	bad := testenv.CopyBundle(t, "tiny")
	if err := os.WriteFile(filepath.Join(bad, "tokenizer.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		says string
	}{
		{"classify without bundle", []string{"classify", "hi"}, nil, "--bundle"},
		{"classify without text", []string{"classify", "--bundle", bad}, nil, "requires at least 1 arg"},
		{"corrupt bundle", []string{"classify", "--bundle", bad, "hi"}, nil, "digest mismatch for tokenizer.json"},
		{"missing ORT library", []string{"classify", "--bundle", bad, "--ort-lib", "/nonexistent/libonnxruntime.so.1", "hi"}, nil, "--ort-lib"},
		{"serve without bundle", []string{"serve"}, nil, "--bundle (or $SLM_EDGE_BUNDLE) is required"},
		{"serve zero batch", []string{"serve", "--bundle", bad, "--max-batch", "0"}, nil, "--max-batch 0"},
		{"serve zero workers", []string{"serve", "--bundle", bad}, map[string]string{"SLM_EDGE_WORKERS": "0"}, "--workers 0: want 1 to 64"},
		{"serve bad env", []string{"serve", "--bundle", bad}, map[string]string{"SLM_EDGE_THREADS": "many"}, "$SLM_EDGE_THREADS"},
		{"serve small queue", []string{"serve", "--bundle", bad, "--max-queue", "8"}, nil, "--max-queue 8"},
		{"serve bad metrics dimension", []string{"serve", "--bundle", bad, "--listen", "127.0.0.1:0", "--metrics-file", filepath.Join(t.TempDir(), "m.log"), "--metrics-dimension", "Project"}, nil, "want NAME=VALUE"},
		{"serve bad log level", []string{"serve", "--bundle", bad, "--log-level", "loud"}, nil, "--log-level"},
		{"serve bad bundle", []string{"serve", "--bundle", bad, "--listen", "127.0.0.1:0"}, nil, "digest mismatch"},
		{"unknown command", []string{"train"}, nil, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), tc.says) {
				t.Fatalf("exit %d, stderr %q: want 1 and %q", code, errOut.String(), tc.says)
			}
		})
	}
}

// TestServe runs the server from flags and environment, with the command
// line the Greengrass recipe uses (backends/greengrass), classifies over
// HTTP, reloads on SIGHUP and shuts down when its context ends (SIGTERM),
// leaving a CloudWatch EMF record in the metrics file.
func TestServe(t *testing.T) {
	t.Setenv("SLM_EDGE_BUNDLE", testenv.Bundle(t, "tiny"))
	t.Setenv("SLM_EDGE_MAX_BATCH", "4")
	t.Setenv("SLM_EDGE_MAX_WAIT", "1ms")
	metricsFile := filepath.Join(t.TempDir(), "metrics", "metrics.log")
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	args := []string{"serve", "--ort-lib", testenv.ORTLib(t), "--listen", "127.0.0.1:0", "--threads", "1", "--workers", "2",
		"--max-queue", "128", "--log-level", "info", "--metrics-file", metricsFile, "--metrics-namespace", "slm/edge",
		"--metrics-dimension", "Project=intent", "--metrics-dimension", "Environment=dev", "--metrics-dimension", "EdgeTarget=line-1"}
	go func() { done <- run(ctx, args, &bytes.Buffer{}, &logs) }()
	ready := logs.waitFor(t, "ready")
	if ready["max_batch"] != float64(4) || ready["max_wait"] != "1ms" || ready["workers"] != float64(2) || ready["model_version"] != "tiny-test-1" {
		t.Fatalf("ready line %v: want the environment's settings", ready)
	}
	url := "http://" + ready["listen"].(string)
	resp, err := http.Post(url+"/v1/classify", "application/json", strings.NewReader(`{"texts":["hello","goodbye"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || len(out.Results) != 2 {
		t.Fatalf("classify: %d %v %v", resp.StatusCode, out, err)
	}
	resp.Body.Close()

	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "model reloaded")

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs.waitFor(t, "stopped")
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("still listening after shutdown")
	}
	data, err := os.ReadFile(metricsFile)
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(data), &rec); err != nil {
		t.Fatalf("metrics file %q: %v", data, err)
	}
	if rec["Requests"] != float64(1) || rec["Errors"] != float64(0) || rec["EdgeTarget"] != "line-1" || rec["_aws"] == nil {
		t.Fatalf("EMF record %v: want the one request, its dimensions and metadata", rec)
	}
}

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{"bundle": "SLM_EDGE_BUNDLE", "max-batch": "SLM_EDGE_MAX_BATCH", "max-body-bytes": "SLM_EDGE_MAX_BODY_BYTES"} {
		if got := envName(flag); got != want {
			t.Errorf("envName(%q) = %q, want %q", flag, got, want)
		}
	}
}
