"""`python -m slm_train.evaluate_bundle`: a bundle's test-split figures through ONNX Runtime.

The Go evaluator (`slm step evaluate`) is the gate; this is the Python check
used by `make train-clinc150` to report in-scope accuracy and out-of-scope
recall the way the CLINC150 paper does. It applies the bundle's own rule:
out of scope when the top class is the out-of-scope label or the top softmax
score is below the manifest's confidence_threshold.

    python -m slm_train.evaluate_bundle --bundle DIR --test DIR_OR_FILE [--threads N]

Prints a JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .bundle import verify_bundle
from .data import channel_file, read_jsonl


def evaluate(bundle: Path, test: Path, threads: int | None) -> dict[str, Any]:
    from tokenizers import Tokenizer

    from .export import onnx_logits, onnx_session

    manifest = verify_bundle(bundle)
    labels: list[str] = json.loads((bundle / "labels.json").read_text(encoding="utf-8"))
    oos = manifest["out_of_scope_label"]
    threshold = float(manifest["confidence_threshold"])
    examples = read_jsonl(channel_file(test))
    tok = Tokenizer.from_file(str(bundle / "tokenizer.json"))
    rows = [e.ids for e in tok.encode_batch([x.text for x in examples])]
    pad = tok.token_to_id("[PAD]") or 0
    sess = onnx_session(bundle / "model.onnx", threads)
    start = time.perf_counter()
    logits = onnx_logits(sess, rows, 128, pad)
    seconds = time.perf_counter() - start
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    top = probs.argmax(axis=1)
    pred = [
        oos if (labels[t] == oos or probs[i, t] < threshold) else labels[t]
        for i, t in enumerate(top)
    ]
    gold = [e.label for e in examples]
    in_scope = [i for i, g in enumerate(gold) if g != oos]
    out_scope = [i for i, g in enumerate(gold) if g == oos]
    predicted_oos = [i for i, p in enumerate(pred) if p == oos]
    correct_oos = sum(1 for i in out_scope if pred[i] == oos)
    result: dict[str, Any] = {
        "bundle": str(bundle),
        "precision": manifest["precision"],
        "confidence_threshold": threshold,
        "examples": len(examples),
        "in_scope_examples": len(in_scope),
        "out_of_scope_examples": len(out_scope),
        "in_scope_accuracy": sum(1 for i in in_scope if pred[i] == gold[i]) / max(len(in_scope), 1),
        "in_scope_accuracy_no_threshold": sum(1 for i in in_scope if labels[top[i]] == gold[i])
        / max(len(in_scope), 1),
        "accuracy": sum(1 for p, g in zip(pred, gold, strict=True) if p == g) / len(gold),
        "macro_f1": macro_f1_labels(gold, pred),
        "model_bytes": (bundle / "model.onnx").stat().st_size,
        "inference_seconds": round(seconds, 3),
    }
    # Without out-of-scope examples (or label) the OOS figures are left out, not 0.
    if oos and out_scope:
        result["out_of_scope_recall"] = correct_oos / len(out_scope)
        result["out_of_scope_precision"] = correct_oos / max(len(predicted_oos), 1)
    return result


def macro_f1_labels(gold: list[str], pred: list[str]) -> float:
    """The unweighted mean F1 over the labels of the test data (SPEC.md section 4)."""
    labels = sorted(set(gold))
    total = 0.0
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        total += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return total / len(labels) if labels else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m slm_train.evaluate_bundle")
    p.add_argument("--bundle", required=True, type=Path, action="append")
    p.add_argument("--test", required=True, type=Path)
    p.add_argument("--threads", type=int)
    args = p.parse_args(argv)
    try:
        results = [evaluate(b, args.test, args.threads) for b in args.bundle]
    except (OSError, ValueError) as e:
        print(f"slm_train.evaluate_bundle: error: {e}", file=sys.stderr)
        return 1
    json.dump(results, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
