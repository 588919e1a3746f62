package localrun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// command is a step process to start.
type command struct {
	path string
	args []string
	dir  string
	env  []string
}

// runCommand runs a step's process in its own process group (so a stop
// ends its children too), writing both streams to the step log and each
// line to onLine.
func runCommand(ctx context.Context, c command, log io.Writer, onLine func(stream, line string)) error {
	cmd := exec.Command(c.path, c.args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", c.path, err)
	}
	var logMu sync.Mutex
	var wg sync.WaitGroup
	var tail tailBuffer
	pump := func(r io.Reader, stream string) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			fmt.Fprintln(log, line)
			tail.add(line)
			logMu.Unlock()
			onLine(stream, line)
		}
	}
	wg.Add(2)
	go pump(stdout, "stdout")
	go pump(stderr, "stderr")
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			// SIGTERM first (SageMaker's stop gives the job 120 s; the
			// training code checkpoints as it goes), then SIGKILL.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-stopped:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		case <-stopped:
		}
	}()
	wg.Wait()
	err = cmd.Wait()
	close(stopped)
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("stopped: it ran past StoppingCondition.MaxRuntimeInSeconds")
		}
		return fmt.Errorf("stopped: %w", ctx.Err())
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("exit status %d; the log ends:\n%s", ee.ExitCode(), tail.String())
		}
		return err
	}
	return nil
}

// tailBuffer keeps the last lines of a log for the failure message.
type tailBuffer struct{ lines []string }

func (t *tailBuffer) add(l string) {
	t.lines = append(t.lines, l)
	if len(t.lines) > 15 {
		t.lines = t.lines[1:]
	}
}

func (t *tailBuffer) String() string { return "    " + strings.Join(t.lines, "\n    ") }

// environ merges variables over a base environment (later wins).
func environ(base []string, over map[string]string) []string {
	out := make([]string, 0, len(base)+len(over))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := over[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range sortedKeys(over) {
		out = append(out, k+"="+over[k])
	}
	return out
}
