package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"
)

// Every flag can also come from an environment variable, which is what a
// Greengrass recipe passes most easily; a flag on the command line wins.
type envFlag struct {
	flag, env string
}

// applyEnv sets each flag not given on the command line from its variable.
func applyEnv(fs *pflag.FlagSet, pairs []envFlag) error {
	for _, p := range pairs {
		v, ok := os.LookupEnv(p.env)
		if !ok || fs.Changed(p.flag) {
			continue
		}
		if err := fs.Set(p.flag, v); err != nil {
			return fmt.Errorf("$%s=%q (for --%s): %w", p.env, v, p.flag, err)
		}
	}
	return nil
}

// serveConfig is everything `slm-edge serve` is told.
type serveConfig struct {
	bundle       string
	listen       string
	ortLib       string
	threads      int
	graphOpt     string
	maxBatch     int
	workers      int
	maxWait      time.Duration
	queueSize    int
	maxBodyBytes int64
	maxTextBytes int
	maxTexts     int
	timeout      time.Duration
	logLevel     string
	shutdownWait time.Duration

	metricsFile       string
	metricsNamespace  string
	metricsDimensions []string
	metricsInterval   time.Duration

	driftWindow    int
	driftMinTexts  int
	driftReference string
}

func (c *serveConfig) register(fs *pflag.FlagSet) []envFlag {
	fs.StringVar(&c.bundle, "bundle", "", "model bundle directory (required)")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8181", "address to listen on")
	fs.StringVar(&c.ortLib, "ort-lib", "", "ONNX Runtime library (default: $SLM_ORT_LIB, then next to the binary)")
	fs.IntVar(&c.threads, "threads", 1, "ONNX Runtime intra-op threads (0: ONNX Runtime's choice)")
	fs.StringVar(&c.graphOpt, "graph-opt", "all", "graph optimisation: all, extended, basic, disabled")
	fs.IntVar(&c.maxBatch, "max-batch", 8, "most texts in one model run (1 disables dynamic batching)")
	fs.IntVar(&c.workers, "workers", 1, "model runs at once, on one shared session (each uses --threads threads)")
	fs.DurationVar(&c.maxWait, "max-wait", 0, "how long the first text of a batch waits for more (0: batch only what queued while the model was busy)")
	fs.IntVar(&c.queueSize, "max-queue", 256, "texts that may wait; beyond it requests get 429")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", 1<<20, "largest request body")
	fs.IntVar(&c.maxTextBytes, "max-text-bytes", 4096, "longest text, in bytes")
	fs.IntVar(&c.maxTexts, "max-texts", 64, "most texts in one request")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "per-request deadline")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&c.shutdownWait, "shutdown-wait", 10*time.Second, "how long SIGTERM waits for in-flight requests")
	fs.StringVar(&c.metricsFile, "metrics-file", "", "append CloudWatch EMF records (one JSON a line) to this file")
	fs.StringVar(&c.metricsNamespace, "metrics-namespace", "slm/edge", "CloudWatch namespace of the EMF records")
	fs.StringArrayVar(&c.metricsDimensions, "metrics-dimension", nil, "NAME=VALUE dimension of the EMF records (repeat)")
	fs.DurationVar(&c.metricsInterval, "metrics-interval", time.Minute, "how often an EMF record is written")
	fs.IntVar(&c.driftWindow, "drift-window", 1000, "answers the drift statistics cover (0 turns them off)")
	fs.IntVar(&c.driftMinTexts, "drift-min-texts", 200, "answers the window needs before drift is reported")
	fs.StringVar(&c.driftReference, "drift-reference", "", "reference profile to compare with (default: the bundle's profile.json)")
	names := []string{"bundle", "listen", "threads", "graph-opt", "max-batch", "workers", "max-wait", "max-queue",
		"max-body-bytes", "max-text-bytes", "max-texts", "timeout", "log-level", "shutdown-wait",
		"metrics-file", "metrics-namespace", "metrics-dimension", "metrics-interval",
		"drift-window", "drift-min-texts", "drift-reference"}
	pairs := make([]envFlag, 0, len(names))
	for _, n := range names {
		pairs = append(pairs, envFlag{flag: n, env: envName(n)})
	}
	return pairs
}

// envName maps a flag to its variable: --max-batch is SLM_EDGE_MAX_BATCH.
func envName(flag string) string {
	b := []byte("SLM_EDGE_")
	for _, c := range []byte(flag) {
		switch {
		case c == '-':
			b = append(b, '_')
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func (c *serveConfig) validate() error {
	switch {
	case c.bundle == "":
		return fmt.Errorf("--bundle (or $%s) is required", envName("bundle"))
	case c.threads < 0:
		return fmt.Errorf("--threads %d: want 0 or more", c.threads)
	case c.maxBatch < 1:
		return fmt.Errorf("--max-batch %d: want 1 or more", c.maxBatch)
	case c.workers < 1 || c.workers > 64:
		return fmt.Errorf("--workers %d: want 1 to 64", c.workers)
	case c.maxWait < 0:
		return fmt.Errorf("--max-wait %v: want 0 or more", c.maxWait)
	case c.queueSize < c.maxBatch:
		return fmt.Errorf("--max-queue %d: want at least --max-batch (%d)", c.queueSize, c.maxBatch)
	case c.queueSize < c.maxTexts:
		return fmt.Errorf("--max-queue %d: want at least --max-texts (%d), or full requests could never be queued", c.queueSize, c.maxTexts)
	case c.metricsFile != "" && c.metricsInterval <= 0:
		return fmt.Errorf("--metrics-interval %v: want more than 0", c.metricsInterval)
	case c.maxBodyBytes < 64 || c.maxTextBytes < 1 || c.maxTexts < 1:
		return fmt.Errorf("--max-body-bytes, --max-text-bytes and --max-texts must be positive (body at least 64)")
	case c.driftWindow < 0 || c.driftWindow > 1_000_000:
		return fmt.Errorf("--drift-window %d: want 0 (off) to 1000000", c.driftWindow)
	case c.driftWindow > 0 && (c.driftMinTexts < 1 || c.driftMinTexts > c.driftWindow):
		return fmt.Errorf("--drift-min-texts %d: want 1 to --drift-window (%d)", c.driftMinTexts, c.driftWindow)
	case c.timeout <= 0:
		return fmt.Errorf("--timeout %v: want more than 0", c.timeout)
	}
	return nil
}

func parseLevel(s string) (slogLevel, error) {
	for _, l := range levels {
		if l.name == s {
			return l, nil
		}
	}
	return slogLevel{}, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
}
