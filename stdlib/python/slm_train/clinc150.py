"""`python -m slm_train.clinc150`: CLINC150's official splits in the channel layout.

In the pipeline the channels come from `slm step prepare`; for the
`make train-clinc150` benchmark and for test slices the official splits of
data_full.json (train/val/test plus oos_train/oos_val/oos_test, label "oos")
are converted directly, so the numbers compare with the paper's.

    python -m slm_train.clinc150 --input data_full.json --output DIR
        [--intents N] [--per-intent TRAIN,VAL,TEST] [--oos TRAIN,VAL,TEST]

writes DIR/{train,validation,test}/data.jsonl. --intents keeps the first N
intents in sorted order; the per-split caps keep the first examples of each
intent in file order, so a slice is deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .bundle import write_atomic

_SPLITS = (
    ("train", "train", "oos_train"),
    ("validation", "val", "oos_val"),
    ("test", "test", "oos_test"),
)


def _caps(raw: str | None, what: str) -> tuple[int | None, int | None, int | None]:
    if raw is None:
        return (None, None, None)
    parts = raw.split(",")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"{what}={raw!r}: want three counts TRAIN,VAL,TEST, e.g. 20,5,5")
    a, b, c = (int(p) for p in parts)
    return (a, b, c)


def convert(
    source: dict[str, list[list[str]]],
    intents: int | None,
    per_intent: tuple[int | None, int | None, int | None],
    oos: tuple[int | None, int | None, int | None],
) -> dict[str, list[dict[str, str]]]:
    for key in ("train", "val", "test", "oos_train", "oos_val", "oos_test"):
        if key not in source:
            raise ValueError(f"input has no {key!r} split: want CLINC150's data_full.json")
    names = sorted({label for _, label in source["train"]})
    keep = set(names[:intents] if intents else names)
    out: dict[str, list[dict[str, str]]] = {}
    for i, (split, key, oos_key) in enumerate(_SPLITS):
        counts: dict[str, int] = {}
        rows = []
        for text, label in source[key]:
            if label not in keep:
                continue
            cap = per_intent[i]
            if cap is not None and counts.get(label, 0) >= cap:
                continue
            counts[label] = counts.get(label, 0) + 1
            rows.append({"text": text, "label": label})
        oos_rows = [{"text": t, "label": label} for t, label in source[oos_key]]
        if oos[i] is not None:
            oos_rows = oos_rows[: oos[i]]
        out[split] = rows + oos_rows
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m slm_train.clinc150")
    p.add_argument("--input", required=True, type=Path)
    p.add_argument("--output", required=True, type=Path)
    p.add_argument("--intents", type=int)
    p.add_argument("--per-intent")
    p.add_argument("--oos")
    args = p.parse_args(argv)
    try:
        source = json.loads(args.input.read_text(encoding="utf-8"))
        splits = convert(
            source, args.intents, _caps(args.per_intent, "--per-intent"), _caps(args.oos, "--oos")
        )
    except (OSError, ValueError) as e:
        print(f"slm_train.clinc150: error: {e}", file=sys.stderr)
        return 1
    for split, rows in splits.items():
        body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
        write_atomic(args.output / split / "data.jsonl", body.encode("utf-8"))
        print(f"{split}: {len(rows)} examples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
