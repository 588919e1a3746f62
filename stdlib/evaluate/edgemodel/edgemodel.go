// Package edgemodel opens a model bundle for the evaluate step with the edge
// runtime's own classifier (runtime/classifier), so the quality gates measure
// exactly the inference code that ships to devices. The classifier needs
// cgo and ONNX Runtime; a CGO_ENABLED=0 build gets an Open that explains so,
// which keeps the statically linked slm binary (used for prepare) buildable.
package edgemodel

// Options configure the ONNX Runtime session.
type Options struct {
	// ORTLibrary is the ONNX Runtime shared library; "" finds it through
	// $SLM_ORT_LIB or next to the binary (runtime/ortenv).
	ORTLibrary string
	// IntraOpThreads is ONNX Runtime's intra-op thread count; 0 lets it choose.
	IntraOpThreads int
}
