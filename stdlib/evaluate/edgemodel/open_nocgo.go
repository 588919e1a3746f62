//go:build !cgo

package edgemodel

import (
	"context"
	"errors"

	"github.com/slm-project/slm/stdlib/evaluate"
)

// Available reports whether this build can run models.
const Available = false

// ErrNoCgo is returned by Open in a CGO_ENABLED=0 build.
var ErrNoCgo = errors.New("this slm binary was built without cgo, so it cannot run ONNX Runtime: " +
	"evaluate needs the cgo build (CGO_ENABLED=1 go build ./cmd/slm) with libonnxruntime.so.1 beside it or in $SLM_ORT_LIB")

// Open always fails in a build without cgo.
func Open(context.Context, string, Options) (evaluate.Model, error) {
	return nil, ErrNoCgo
}
