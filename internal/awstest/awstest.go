// Package awstest gives tests real aws-sdk-go-v2 clients that talk to a moto
// server (https://github.com/getmoto/moto, pinned in
// scripts/aws/moto-requirements.txt) instead of AWS.
//
// `make test` starts one moto for the whole run (scripts/aws/moto.sh run) and
// passes its address in SLM_MOTO_ENDPOINT. When that variable is unset, as
// when one package is tested by hand with `go test ./x/...`, the first test
// that asks starts a moto of its own from the cached venv (installing it
// once with scripts/aws/moto.sh install) and the process stops it when the
// package's tests end. A test never skips for want of moto: it fails.
//
// moto keeps one global state per server, so tests that use it must not run
// in parallel with each other within a package (Config resets moto); across
// packages, which `go test ./...` runs in parallel processes against the one
// server, each test holds an exclusive file lock for its whole life.
package awstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// EndpointEnv names the environment variable holding the moto endpoint.
const EndpointEnv = "SLM_MOTO_ENDPOINT"

// Static test identity: moto maps any unknown access key to its default
// account, AccountID.
const (
	Region          = "eu-west-1"
	AccountID       = "123456789012"
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Endpoint returns the moto server's URL, starting a local one when
// SLM_MOTO_ENDPOINT is unset. It fails the test when moto cannot be had.
func Endpoint(t testing.TB) string {
	t.Helper()
	if e := os.Getenv(EndpointEnv); e != "" {
		return strings.TrimRight(e, "/")
	}
	e, err := local.get()
	if err != nil {
		t.Fatalf("awstest: no moto server: %v (set %s, or run the tests through `make test-go`)", err, EndpointEnv)
	}
	return e
}

// Reset empties moto: every test starts from an empty account. The test
// holds moto until it ends (see hold), so a reset from another package's
// test cannot empty the account under it.
func Reset(t testing.TB) {
	t.Helper()
	endpoint := Endpoint(t)
	held.acquire(t, endpoint)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, endpoint+"/moto-api/reset", nil)
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("awstest: resetting moto at %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("awstest: resetting moto at %s: %s", endpoint, resp.Status)
	}
}

// Config resets moto and returns an aws.Config for it: static test
// credentials, Region, and moto as the base endpoint of every service.
func Config(t testing.TB) aws.Config {
	t.Helper()
	Reset(t)
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(Endpoint(t)),
	}
}

// Env resets moto and returns the environment a process (or code that loads
// the SDK's default configuration) needs to reach it the standard way:
// AWS_ENDPOINT_URL, static credentials and the region. Shared config and
// credential files are pointed at nothing so the developer's own profiles
// are never read.
func Env(t testing.TB) []string {
	t.Helper()
	Reset(t)
	return []string{
		"AWS_ENDPOINT_URL=" + Endpoint(t),
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_REGION=" + Region,
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// SetEnv is Env applied to this process with t.Setenv (so the test must not
// be parallel), for code under test that loads the SDK's default
// configuration itself.
func SetEnv(t *testing.T) {
	t.Helper()
	for _, kv := range Env(t) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// hold is the cross-process lock on one moto server: an flock on a file
// named for its endpoint, taken by the first test of this process that
// resets moto and released when the last one holding it ends (subtests of a
// holding test share it: tests in one package do not run in parallel).
type hold struct {
	mu sync.Mutex
	n  int
	f  *os.File
}

var held hold

func (h *hold) acquire(t testing.TB, endpoint string) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		name := strings.NewReplacer(":", "_", "/", "_").Replace(strings.TrimPrefix(endpoint, "http://"))
		f, err := os.OpenFile(filepath.Join(os.TempDir(), "slm-moto-"+name+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatalf("awstest: opening moto's lock file: %v", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			t.Fatalf("awstest: locking moto: %v", err)
		}
		h.f = f
	}
	h.n++
	t.Cleanup(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.n--
		if h.n == 0 {
			_ = syscall.Flock(int(h.f.Fd()), syscall.LOCK_UN)
			h.f.Close()
			h.f = nil
		}
	})
}

// localServer is the moto this test process started for itself. It is
// process-wide because moto takes seconds to start and the package's tests
// share it (each resets it); the kernel ends it with the process.
type localServer struct {
	once     sync.Once
	endpoint string
	err      error
	// stdin is the script's standard input, held open for the life of
	// the process (closing it, or exiting, stops moto).
	stdin io.WriteCloser
}

var local localServer

func (l *localServer) get() (string, error) {
	l.once.Do(func() { l.endpoint, l.stdin, l.err = startLocal() })
	return l.endpoint, l.err
}

func startLocal() (string, io.WriteCloser, error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, err
	}
	script := filepath.Join(root, "scripts", "aws", "moto.sh")
	var out bytes.Buffer
	install := exec.Command(script, "install")
	install.Stdout, install.Stderr = &out, &out
	if err := install.Run(); err != nil {
		return "", nil, fmt.Errorf("%s install: %v\n%s", script, err, out.String())
	}
	dir, err := os.MkdirTemp("", "slm-moto-")
	if err != nil {
		return "", nil, err
	}
	// Start it through the script's `run`, waiting on stdin: when this
	// process exits, stdin closes, cat returns and the script stops moto
	// by its PID.
	cmd := exec.Command(script, "run", "bash", "-c", `echo "$SLM_MOTO_ENDPOINT" > "$0/endpoint"; cat >/dev/null`, dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting %s: %w", script, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, "endpoint")); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return strings.TrimSpace(string(b)), stdin, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = stdin.Close()
	return "", nil, errors.New("moto did not start within 60s")
}

// repoRoot finds the module root (the directory with go.mod) above the
// test's working directory, where scripts/aws/moto.sh lives.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "scripts", "aws", "moto.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("scripts/aws/moto.sh not found above the working directory")
		}
		dir = parent
	}
}
