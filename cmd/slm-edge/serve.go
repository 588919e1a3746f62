package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/runtime/batch"
	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/emf"
	"github.com/slm-project/slm/runtime/live"
	"github.com/slm-project/slm/runtime/metrics"
	"github.com/slm-project/slm/runtime/ortenv"
	"github.com/slm-project/slm/runtime/server"
)

var batchBuckets = []float64{1, 2, 4, 8, 16, 32, 64}

func serveCommand(logOut io.Writer) *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve --bundle DIR [--listen 127.0.0.1:8181] [--threads N] [--workers N] [--max-batch N] [--max-wait DURATION]",
		Short: "Serve the bundle's model over HTTP/JSON until SIGTERM; SIGHUP reloads the bundle",
		Args:  cobra.NoArgs,
	}
	pairs := cfg.register(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := applyEnv(cmd.Flags(), pairs); err != nil {
			return err
		}
		if err := cfg.validate(); err != nil {
			return err
		}
		return serve(cmd.Context(), cfg, logOut)
	}
	return cmd
}

// serve runs until ctx ends (SIGTERM), then drains: readiness goes false, the
// listener closes, in-flight requests finish, the queue empties, the session closes.
func serve(ctx context.Context, cfg serveConfig, logOut io.Writer) error {
	start := time.Now()
	lvl, err := parseLevel(cfg.logLevel)
	if err != nil {
		return err
	}
	// A model run is a C call that keeps its goroutine's P (Go's right to run
	// Go code) until sysmon takes it back, which can take up to 10ms when the
	// process has been quiet. With as many workers as Ps, HTTP handlers and the
	// network poller would wait that long behind running models (wrk, int8,
	// 2 workers, 2 cores, concurrency 8: p99 51-189ms without, 30-34ms with),
	// so each worker gets a P of its own on top of the cores'.
	prev := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + cfg.workers)
	defer runtime.GOMAXPROCS(prev)
	log := newLogger(logOut, lvl.level)
	lib, err := ortenv.Find(cfg.ortLib)
	if err != nil {
		return err
	}
	var rec *emf.Recorder
	if cfg.metricsFile != "" {
		if rec, err = emf.New(cfg.metricsFile, cfg.metricsNamespace, cfg.metricsDimensions); err != nil {
			return err
		}
	}
	opts := classifier.Options{ORTLibrary: lib, IntraOpThreads: cfg.threads, GraphOptimization: cfg.graphOpt}
	model, err := live.New(ctx, cfg.bundle, func(ctx context.Context, dir string) (*classifier.Classifier, error) {
		return classifier.Open(ctx, dir, opts)
	})
	if err != nil {
		return err
	}
	defer model.Close()
	reg := metrics.NewRegistry()
	b, err := batch.New(model.Classify, batch.Options{
		MaxBatch: cfg.maxBatch, MaxWait: cfg.maxWait, QueueSize: cfg.queueSize, Workers: cfg.workers,
		OnBatch: func(n int) {
			reg.Observe("slm_edge_batch_size", "Texts per model run.", batchBuckets, float64(n))
		},
	})
	if err != nil {
		return err
	}
	defer b.Close()
	srv := server.New(model, b, server.Limits{
		MaxBodyBytes: cfg.maxBodyBytes, MaxTextBytes: cfg.maxTextBytes, MaxTexts: cfg.maxTexts, Timeout: cfg.timeout,
	}, reg, log)
	if err := srv.SetDrift(server.DriftOptions{Window: cfg.driftWindow, MinTexts: cfg.driftMinTexts, Reference: cfg.driftReference}); err != nil {
		return err
	}

	if rec != nil {
		srv.OnRequest(func(status int, latency time.Duration) { rec.Observe(latency, status != http.StatusOK) })
		rec.Gauges(srv.EMFDrift)
		metricsDone := make(chan error, 1)
		mctx, stopMetrics := context.WithCancel(context.Background())
		go func() { metricsDone <- rec.Run(mctx, cfg.metricsInterval) }()
		defer func() {
			stopMetrics()
			if err := <-metricsDone; err != nil {
				log.Error("metrics file", "error", err.Error())
			}
		}()
	}

	// SIGHUP's handler goes in before "ready" is logged: a supervisor may send
	// it as soon as it reads that line, and unhandled, SIGHUP ends the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.listen, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("ready", "listen", ln.Addr().String(), "bundle", cfg.bundle, "model_version", model.Version(),
		"onnxruntime", ortenv.Version(), "threads", cfg.threads, "max_batch", cfg.maxBatch, "workers", cfg.workers,
		"max_wait", cfg.maxWait.String(), "startup_seconds", time.Since(start).Seconds())

	for {
		select {
		case <-hup:
			_ = srv.Reload(ctx, "") // logged; the old model keeps serving on error
		case err := <-served:
			return fmt.Errorf("http server: %w", err)
		case <-ctx.Done():
			log.Info("shutting down", "wait", cfg.shutdownWait.String())
			srv.SetReady(false)
			sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownWait)
			err := hs.Shutdown(sctx)
			cancel()
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("shutdown", "error", err.Error())
			}
			log.Info("stopped")
			return nil
		}
	}
}
