"""Static (calibrated, QDQ) int8 against dynamic int8 on a trained fp32 bundle: test accuracy at batch 1
and batch 128, how many labels change between the two batch sizes, batch-1 latency and model size.

Run: .venv/bin/python scripts/edge/compare_quantisation.py --bundle MODEL/bundle --train TRAIN.jsonl
       --test TEST.jsonl [--threads 1]
TRAIN/TEST are JSONL rows with "text" and "label" (or "intent"); prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import tokenizers

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stdlib" / "python"))
from slm_train import export


def rows(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append((r["text"], r.get("label", r.get("intent", ""))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, required=True)
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--test", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    manifest = json.loads((args.bundle / "manifest.json").read_text(encoding="utf-8"))
    labels = json.loads((args.bundle / "labels.json").read_text(encoding="utf-8"))
    tok = tokenizers.Tokenizer.from_file(str(args.bundle / "tokenizer.json"))
    tok.enable_truncation(max_length=manifest["max_seq_length"])
    tok.no_padding()
    test = rows(args.test)
    test_texts = {t for t, _ in test}
    train = [t for t, _ in rows(args.train) if t not in test_texts]
    calib = export.calibration_rows([e.ids for e in tok.encode_batch(train)])
    ids = [e.ids for e in tok.encode_batch([t for t, _ in test])]
    gold = np.array([labels.index(lab) if lab in labels else -1 for _, lab in test])
    result: dict[str, object] = {
        "test_examples": len(test),
        "calibration_examples": len(calib),
    }
    with tempfile.TemporaryDirectory() as work:
        fp32 = args.bundle / "model.onnx"
        static = Path(work) / "static.onnx"
        dynamic = Path(work) / "dynamic.onnx"
        export.quantize_int8(fp32, static, calib, pad_id=0)
        export.quantize_int8_dynamic(fp32, dynamic)
        for name, model in [
            ("fp32", fp32),
            ("int8_static", static),
            ("int8_dynamic", dynamic),
        ]:
            sess = export.onnx_session(model, args.threads)
            one = export.onnx_logits(sess, ids, 1, 0)
            many = export.onnx_logits(sess, ids, 128, 0)
            times = []
            for r in ids[:300]:
                t = time.perf_counter()
                export.onnx_logits(sess, [r], 1, 0)
                times.append(time.perf_counter() - t)
            result[name] = {
                "accuracy_batch1": float(np.mean(one.argmax(1) == gold)),
                "accuracy_batch128": float(np.mean(many.argmax(1) == gold)),
                "labels_changed_batch1_vs_128": int(
                    np.sum(one.argmax(1) != many.argmax(1))
                ),
                "max_abs_logit_diff_batch1_vs_128": float(np.abs(one - many).max()),
                "p50_ms_batch1": 1000 * statistics.median(times),
                "onnx_bytes": model.stat().st_size,
            }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
