package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/ortenv"
	"github.com/slm-project/slm/runtime/testenv"
)

// BenchmarkProcess starts the real slm-edge binary on the fp32 and int8
// bundles and reports the time from exec to a 200 from /readyz, and the peak
// (VmHWM) and current (VmRSS) resident memory after serving 300 CLINC150
// utterances.
func BenchmarkProcess(b *testing.B) {
	root := testenv.RepoRoot(b)
	bin := filepath.Join(b.TempDir(), "slm-edge")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/slm-edge")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build slm-edge: %v\n%s", err, out)
	}
	texts := testenv.CLINC150(b)
	for _, m := range models {
		b.Run(m.name, func(b *testing.B) {
			var readyMS, peakMB, rssMB float64
			for range b.N {
				r, p, now := runProcess(b, bin, testenv.Bundle(b, m.bundle), testenv.ORTLib(b), texts[:300])
				readyMS += r
				peakMB = max(peakMB, p)
				rssMB = max(rssMB, now)
			}
			b.ReportMetric(readyMS/float64(b.N), "start_to_ready_ms")
			b.ReportMetric(peakMB, "peak_rss_MB")
			b.ReportMetric(rssMB, "rss_after_MB")
		})
	}
}

func runProcess(b *testing.B, bin, bundleDir, lib string, texts []string) (readyMS, peakMB, rssMB float64) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--bundle", bundleDir, "--listen", addr, "--threads", "1", "--log-level", "warn")
	cmd.Env = append(os.Environ(), ortenv.EnvVar+"="+lib)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			b.Fatalf("slm-edge not ready after 30s:\n%s", logs.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	readyMS = float64(time.Since(start).Microseconds()) / 1000
	// The machine may be busy: a request waits as long as the server's own deadline.
	client.Timeout = 30 * time.Second
	for _, t := range texts {
		body, _ := json.Marshal(map[string]string{"text": t})
		resp, err := client.Post("http://"+addr+"/v1/classify", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("classify: status %d", resp.StatusCode)
		}
	}
	peak, err := procStatus(cmd.Process.Pid, "VmHWM:")
	if err != nil {
		b.Fatal(err)
	}
	now, err := procStatus(cmd.Process.Pid, "VmRSS:")
	if err != nil {
		b.Fatal(err)
	}
	return readyMS, float64(peak) / 1024, float64(now) / 1024
}

// procStatus reads a memory field (VmHWM:, VmRSS:), in KiB, from /proc.
func procStatus(pid int, field string) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
