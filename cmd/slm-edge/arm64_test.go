package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
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

	"github.com/slm-project/slm/runtime/testenv"
)

// The arm64 build runs under qemu-user (Debian's qemu-user with the aarch64
// C library in /usr/aarch64-linux-gnu), which scripts/edge/setup-cross.sh
// installs with the cross compiler (`make build-arm64`, a prerequisite of
// `make test-go`).
const (
	qemu       = "qemu-aarch64"
	arm64Libc  = "/usr/aarch64-linux-gnu"
	arm64CC    = "aarch64-linux-gnu-gcc"
	arm64Setup = "scripts/edge/setup-cross.sh (make build-arm64)"
)

// buildArm64 cross-compiles slm-edge for linux/arm64 into a temporary
// directory beside the arm64 ONNX Runtime library, and returns the binary.
func buildArm64(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{qemu, arm64CC} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: run %s", tool, arm64Setup)
		}
	}
	if _, err := os.Stat(filepath.Join(arm64Libc, "lib", "ld-linux-aarch64.so.1")); err != nil {
		t.Fatalf("the aarch64 C library is missing (%v): run %s", err, arm64Setup)
	}
	root := testenv.RepoRoot(t)
	lib := filepath.Join(root, "build", "ort", "linux-arm64", "libonnxruntime.so.1")
	libData, err := os.ReadFile(lib)
	if err != nil {
		t.Fatalf("arm64 ONNX Runtime missing (%v): run make setup-ort", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "libonnxruntime.so.1"), libData, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "slm-edge")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/slm-edge")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH=arm64", "CC="+arm64CC)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cross-compile slm-edge for linux/arm64: %v\n%s", err, out)
	}
	return bin
}

// arm64Root is the sysroot qemu-user resolves absolute paths in first: the
// aarch64 C library as lib/, and a proc/cpuinfo describing the host's CPUs as
// Arm Neoverse-N1 cores (AWS Graviton2). qemu-user 7.2 passes the host's
// x86 /proc/cpuinfo through, in which ONNX Runtime's CPU detection
// (pytorch/cpuinfo) finds no Arm processor and dereferences a null pointer
// while loading; a device has its own.
func arm64Root(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.Symlink(filepath.Join(arm64Libc, "lib"), filepath.Join(root, "lib")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range possibleCPUs(t) {
		fmt.Fprintf(&b, "processor\t: %d\nBogoMIPS\t: 50.00\n"+
			"Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n"+
			"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n", i)
	}
	if err := os.WriteFile(filepath.Join(root, "proc", "cpuinfo"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// possibleCPUs is how many CPUs /sys/devices/system/cpu/possible names
// ("0-1" is 2), which cpuinfo matches against /proc/cpuinfo.
func possibleCPUs(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		t.Fatal(err)
	}
	last := strings.TrimSpace(string(data))
	if i := strings.LastIndexAny(last, ",-"); i >= 0 {
		last = last[i+1:]
	}
	n, err := strconv.Atoi(last)
	if err != nil {
		t.Fatalf("/sys/devices/system/cpu/possible %q: %v", data, err)
	}
	return n + 1
}

// emulated returns a command running the arm64 binary under qemu-user. The
// binary finds its ONNX Runtime beside it, as on a device.
func emulated(ctx context.Context, root, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, qemu, append([]string{"-L", root, bin}, args...)...)
	env := []string{"QEMU_LD_PREFIX=" + root}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLM_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	return cmd
}

type classifyLine struct {
	Text         string    `json:"text"`
	ModelVersion string    `json:"model_version"`
	Label        string    `json:"label"`
	Logits       []float32 `json:"logits"`
}

func parseLines(t *testing.T, out []byte) []classifyLine {
	t.Helper()
	var lines []classifyLine
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var l classifyLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("classify output %q: %v", out, err)
		}
		lines = append(lines, l)
	}
	return lines
}

// TestArm64UnderEmulation runs the linux/arm64 build of slm-edge, with the
// arm64 ONNX Runtime, under qemu-user: `classify` gives the same labels and
// logits within 1e-4 of the amd64 build's on the tiny BERT bundle, and
// `serve` answers /readyz and a classification, then stops on SIGTERM. (The
// MiniLM bundles take minutes per text under emulation: too slow for make
// test.)
func TestArm64UnderEmulation(t *testing.T) {
	bin := buildArm64(t)
	root := arm64Root(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	texts := testenv.CLINC150(t)[:8]
	texts = append(texts, "Café naïve: is the weather ok in 東京 today? 😀", "oos "+strings.Repeat("very long text ", 30))

	t.Run("classify", func(t *testing.T) {
		t.Setenv("SLM_ORT_LIB", testenv.ORTLib(t))
		for _, name := range []string{"tiny"} {
			args := append([]string{"classify", "--bundle", testenv.Bundle(t, name), "--logits"}, texts...)
			var want, errOut bytes.Buffer
			if code := run(ctx, args, &want, &errOut); code != 0 {
				t.Fatalf("amd64 classify: exit %d: %s", code, errOut.String())
			}
			cmd := emulated(ctx, root, bin, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("arm64 classify under %s: %v\n%s", qemu, err, stderr.String())
			}
			gotLines, wantLines := parseLines(t, got), parseLines(t, want.Bytes())
			if len(gotLines) != len(texts) || len(wantLines) != len(texts) {
				t.Fatalf("%s: %d arm64 lines, %d amd64 lines, want %d", name, len(gotLines), len(wantLines), len(texts))
			}
			worst := 0.0
			for i := range texts {
				g, w := gotLines[i], wantLines[i]
				if g.Text != w.Text || g.Label != w.Label || g.ModelVersion != w.ModelVersion || len(g.Logits) != 151 || len(w.Logits) != 151 {
					t.Fatalf("%s %q: arm64 %s %s (%d logits), amd64 %s %s (%d)", name, texts[i], g.Label, g.ModelVersion, len(g.Logits), w.Label, w.ModelVersion, len(w.Logits))
				}
				for j := range g.Logits {
					worst = max(worst, math.Abs(float64(g.Logits[j]-w.Logits[j])))
				}
			}
			t.Logf("%s: %d texts, largest logit difference arm64 vs amd64 %.3g", name, len(texts), worst)
			if worst > 1e-4 {
				t.Errorf("%s: arm64 logits differ from amd64's by %.3g, want at most 1e-4", name, worst)
			}
		}
	})

	t.Run("serve", func(t *testing.T) {
		port := freePort(t)
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		cmd := emulated(ctx, root, bin, "serve", "--bundle", testenv.Bundle(t, "tiny"), "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--threads", "1")
		var logs syncBuffer
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		ready := false
		for deadline := time.Now().Add(3 * time.Minute); !ready && time.Now().Before(deadline); {
			select {
			case err := <-exited:
				t.Fatalf("arm64 serve exited before ready: %v\n%s", err, logs.buf.String())
			case <-time.After(200 * time.Millisecond):
			}
			if resp, err := http.Get(url + "/readyz"); err == nil {
				ready = resp.StatusCode == http.StatusOK
				resp.Body.Close()
			}
		}
		if !ready {
			_ = cmd.Process.Kill()
			t.Fatalf("arm64 serve never answered /readyz 200\n%s", logs.buf.String())
		}
		if line := logs.find("ready"); line == nil || line["model_version"] != "tiny-test-1" {
			t.Errorf("ready log line %v", line)
		}
		resp, err := http.Post(url+"/v1/classify", "application/json", strings.NewReader(`{"text":"what is my account balance"}`))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || out["model_version"] != "tiny-test-1" {
			t.Errorf("classify on arm64: %d %v %v", resp.StatusCode, out, err)
		}
		// qemu-user passes signals to the emulated process.
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("arm64 serve after SIGTERM: %v\n%s", err, logs.buf.String())
			}
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Fatal("arm64 serve did not stop on SIGTERM")
		}
	})
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
