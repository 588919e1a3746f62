package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slm-project/slm/runtime/ortenv"
	"github.com/slm-project/slm/runtime/testenv"
)

// BenchmarkVersusPython runs slm-edge (the real binary) and the Python service a team would
// otherwise deploy (scripts/edge/peer_server.py: FastAPI on uvicorn, onnxruntime, tokenizers; one and
// two workers) on the same bundle with the same intra-op threads, under one load generator (this
// process: closed loop, single-text requests, keep-alive), interleaved: every repeat runs every
// server at concurrency 1, 8 and 32 in a rotated order, so a busy machine slows all alike. It
// prints, per model and server, the median over the repeats and the spread (min-max) of req/s,
// p50 and p99 latency, server CPU per request, and the start-to-ready time and peak RSS.
//
// SLM_BENCH_REPEATS (default 3) and SLM_BENCH_ROUND (default 3s, per server and concurrency) set the
// work; SLM_BENCH_THREADS (default 1) the intra-op threads of both.
func BenchmarkVersusPython(b *testing.B) {
	repeats := envInt(b, "SLM_BENCH_REPEATS", 3)
	round := envDuration(b, "SLM_BENCH_ROUND", 3*time.Second)
	threads := envInt(b, "SLM_BENCH_THREADS", 1)
	root := testenv.RepoRoot(b)
	bin := filepath.Join(b.TempDir(), "slm-edge")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/slm-edge")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build slm-edge: %v\n%s", err, out)
	}
	python := filepath.Join(root, ".venv", "bin", "python")
	texts := testenv.CLINC150(b)
	for _, m := range models {
		b.Run(m.name, func(b *testing.B) {
			dir := testenv.Bundle(b, m.bundle)
			servers := []*peerServer{
				startServer(b, "slm-edge", []string{bin, "serve", "--bundle", dir, "--threads", strconv.Itoa(threads),
					"--max-batch", "8", "--log-level", "warn", "--drift-window", "0"}, []string{ortenv.EnvVar + "=" + testenv.ORTLib(b)}),
			}
			for _, workers := range []int{1, 2} {
				servers = append(servers, startServer(b, fmt.Sprintf("python-%dw", workers), []string{python,
					filepath.Join(root, "scripts", "edge", "peer_server.py"), "--bundle", dir,
					"--threads", strconv.Itoa(threads), "--workers", strconv.Itoa(workers)}, nil))
			}
			concs := []int{1, 8, 32}
			results := map[string][]roundResult{}
			for i := range b.N * repeats {
				for k := range servers {
					s := servers[(i+k)%len(servers)]
					for _, c := range concs {
						r := s.load(b, texts, c, round)
						key := fmt.Sprintf("%s c=%d", s.name, c)
						results[key] = append(results[key], r)
					}
				}
			}
			var out strings.Builder
			fmt.Fprintf(&out, "\n%s, %d threads, %d repeats of %v, median [min-max]\n", m.name, threads, b.N*repeats, round)
			fmt.Fprintf(&out, "| server | c | req/s | p50 ms | p99 ms | CPU ms/req |\n| --- | --- | --- | --- | --- | --- |\n")
			for _, s := range servers {
				for _, c := range concs {
					rs := results[fmt.Sprintf("%s c=%d", s.name, c)]
					fmt.Fprintf(&out, "| %s | %d | %s | %s | %s | %s |\n", s.name, c,
						spread(rs, func(r roundResult) float64 { return r.rps }), spread(rs, func(r roundResult) float64 { return r.p50 }),
						spread(rs, func(r roundResult) float64 { return r.p99 }), spread(rs, func(r roundResult) float64 { return r.cpuMS }))
				}
			}
			for _, s := range servers {
				fmt.Fprintf(&out, "%s: start to ready %.0f ms, peak RSS %.0f MB (all its processes)\n", s.name, s.readyMS, s.peakMB())
			}
			for _, s := range servers {
				s.stop()
			}
			fmt.Fprint(os.Stdout, out.String())
			edge := median(results["slm-edge c=32"], func(r roundResult) float64 { return r.rps })
			best := max(median(results["python-1w c=32"], func(r roundResult) float64 { return r.rps }),
				median(results["python-2w c=32"], func(r roundResult) float64 { return r.rps }))
			b.ReportMetric(edge/best, "edge/python_rps_c32")
		})
	}
}

type peerServer struct {
	name    string
	cmd     *exec.Cmd
	addr    string
	readyMS float64
	client  *http.Client
	logs    bytes.Buffer
	peakKB  map[int]int // VmHWM of every process of the server seen
}

type roundResult struct{ rps, p50, p99, cpuMS float64 }

func startServer(b *testing.B, name string, argv, env []string) *peerServer {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	if strings.HasPrefix(name, "slm-edge") {
		argv = append(argv, "--listen", addr)
	} else {
		argv = append(argv, "--port", port)
	}
	s := &peerServer{name: name, addr: addr, peakKB: map[int]int{},
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = &s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.stop)
	for {
		if resp, err := s.client.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 2*time.Minute {
			b.Fatalf("%s not ready after 2 minutes:\n%s", name, s.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.readyMS = float64(time.Since(start).Microseconds()) / 1000
	return s
}

func (s *peerServer) stop() {
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// load runs c closed-loop clients for d and measures the server's throughput, latency and CPU.
func (s *peerServer) load(b *testing.B, texts []string, c int, d time.Duration) roundResult {
	b.Helper()
	cpu0 := s.cpuTicks()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	errs := make(chan error, c)
	for g := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := g; time.Now().Before(deadline); i += c {
				body, _ := json.Marshal(map[string]string{"text": texts[i%len(texts)]})
				t := time.Now()
				resp, err := s.client.Post("http://"+s.addr+"/v1/classify", "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("%s: status %d", s.name, resp.StatusCode)
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatalf("%s at concurrency %d: %v\n%s", s.name, c, err, s.logs.String())
	}
	s.notePeak()
	p50, p99 := percentiles(lat)
	cpuMS := float64(s.cpuTicks()-cpu0) * 1000 / clockTicks / float64(max(len(lat), 1))
	return roundResult{rps: float64(len(lat)) / elapsed.Seconds(), p50: p50, p99: p99, cpuMS: cpuMS}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times (100 on Linux).
const clockTicks = 100

// pids are the server's processes: the one started and its descendants (uvicorn's workers).
func (s *peerServer) pids() []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if ppid, err := strconv.Atoi(f[1]); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	out := []int{s.cmd.Process.Pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// cpuTicks is the user and system CPU time of the server's processes, in clock ticks.
func (s *peerServer) cpuTicks() int {
	total := 0
	for _, pid := range s.pids() {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		u, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		total += u + st
	}
	return total
}

func (s *peerServer) notePeak() {
	for _, pid := range s.pids() {
		if kb, err := procStatus(pid, "VmHWM:"); err == nil {
			s.peakKB[pid] = max(s.peakKB[pid], kb)
		}
	}
}

// peakMB sums the peaks of the server's processes (for several workers, more than was ever resident
// at once only if their peaks did not coincide; they run the same load, so they do).
func (s *peerServer) peakMB() float64 {
	total := 0
	for _, kb := range s.peakKB {
		total += kb
	}
	return float64(total) / 1024
}

func median(rs []roundResult, f func(roundResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func spread(rs []roundResult, f func(roundResult) float64) string {
	lo, hi := 0.0, 0.0
	for i, r := range rs {
		v := f(r)
		if i == 0 || v < lo {
			lo = v
		}
		if i == 0 || v > hi {
			hi = v
		}
	}
	return fmt.Sprintf("%.3g [%.3g-%.3g]", median(rs, f), lo, hi)
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("$%s=%q: want a positive integer", name, v)
	}
	return n
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		b.Fatalf("$%s=%q: want a duration like 3s", name, v)
	}
	return d
}
