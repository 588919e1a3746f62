"""The alternative a user would pick: Python onnxruntime + Hugging Face tokenizers, one text per call.

Measures, on a model bundle and the CLINC150 test utterances, the latency of tokenise + run + softmax
at batch 1 (p50, p99) and the throughput of a sequential loop, with the given intra-op threads.
Prints one JSON object. With --serve it instead reads one JSON string a line on stdin, classifies it and
prints the seconds tokenise + run + softmax took, so the Go benchmarks (runtime/bench) can interleave it
with their own requests and compare under the same machine load.

Run: .venv/bin/python scripts/edge/bench_python.py --bundle build/testmodels/minilm --threads 1 --n 500
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tokenizers

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument(
        "--serve",
        action="store_true",
        help="time texts read from stdin, one JSON string a line",
    )
    args = ap.parse_args()
    bundle = Path(args.bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    rows = json.loads(
        (ROOT / "runtime" / "testdata" / "clinc150" / "test.json").read_text(
            encoding="utf-8"
        )
    )
    texts = [t for t, _ in rows]
    tok = tokenizers.Tokenizer.from_file(str(bundle / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=manifest["max_seq_length"])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(
        str(bundle / "model.onnx"), opts, providers=["CPUExecutionProvider"]
    )

    def classify(text: str) -> int:
        enc = tok.encode(text)
        feeds = {
            "input_ids": np.array([enc.ids], dtype=np.int64),
            "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([enc.type_ids], dtype=np.int64),
        }
        (logits,) = sess.run([manifest["output"]], feeds)
        e = np.exp(logits[0] - logits[0].max())
        return int(np.argmax(e / e.sum()))

    for text in texts[:20]:
        classify(text)
    if args.serve:
        print("ready", flush=True)
        for line in sys.stdin:
            t0 = time.perf_counter()
            classify(json.loads(line))
            print(time.perf_counter() - t0, flush=True)
        return
    lat = []
    start = time.perf_counter()
    for i in range(args.n):
        t0 = time.perf_counter()
        classify(texts[i % len(texts)])
        lat.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    tok_start = time.perf_counter()
    for text in texts:
        tok.encode(text)
    tok_us = (time.perf_counter() - tok_start) / len(texts) * 1e6
    ms = np.array(lat) * 1000
    print(
        json.dumps(
            {
                "p50_ms": float(np.percentile(ms, 50)),
                "p99_ms": float(np.percentile(ms, 99)),
                "throughput_per_s": args.n / elapsed,
                "tokenizer_us": tok_us,
                "n": args.n,
                "threads": args.threads,
            }
        )
    )


if __name__ == "__main__":
    main()
