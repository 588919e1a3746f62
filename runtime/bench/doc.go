// Package bench holds the edge runtime's benchmarks, on the all-MiniLM-L6-v2-sized test bundles
// (make testmodels) and the CLINC150 test utterances:
//   - BenchmarkVersusPython: the real slm-edge binary (one and two workers) against the Python
//     service a team would otherwise deploy (scripts/edge/peer_server.py, one and two worker
//     processes), under wrk at concurrency 1, 8 and 32, interleaved over repeats, with the raw
//     onnxruntime_go ceiling (throughput) and floor (batch-1 latency) measured between them; it
//     prints Markdown tables and a verdict;
//   - BenchmarkLatency: batch-1 latency in process, request by request: slm-edge over HTTP, the Go
//     API, the raw Run, Python onnxruntime;
//   - BenchmarkThroughput: the in-process stack's req/s with and without dynamic batching;
//   - BenchmarkProcess: start-to-ready time and peak RSS of the binary.
//
// Run them with `make bench`; figures are custom metrics and the printed tables.
package bench
