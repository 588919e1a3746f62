// Package bench holds the edge runtime's benchmarks side by side, on the
// all-MiniLM-L6-v2-sized test bundle and the CLINC150 test utterances: the
// end-to-end HTTP latency and throughput of slm-edge, the floor (raw
// onnxruntime_go Run on pre-tokenised input), the Python onnxruntime +
// tokenizers alternative, fp32 against int8, and the process's start-up time
// and peak memory. Run them with `make bench`; figures are custom metrics.
package bench
