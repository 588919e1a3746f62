// Command slm-edge serves a fine-tuned intent model on a device: it loads a
// model bundle, tokenises in Go, runs ONNX Runtime and answers over HTTP/JSON.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
