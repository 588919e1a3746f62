"""CLINC150's data_full.json as the raw JSONL the pipeline's dataset reads.

    python scripts/datasets/clinc150_jsonl.py data_full.json OUT.jsonl

Writes one {"text", "intent", "split"} object a line: every example of the
six official splits (train, val, test and their oos_* counterparts, intent
"oos"), in file order, with the official split each belongs to as "train",
"validation" or "test". The pipeline's prepare step keeps that split when
its split block says `field = "split"` (envs/full.slmvars.hcl), so the
figures are measured on CLINC150's own test split (4,500 in-scope and 1,000
out-of-scope examples, 100 out-of-scope examples in train).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

# data_full.json's keys and the split each goes to, in file order.
SPLITS = {
    "train": "train",
    "val": "validation",
    "test": "test",
    "oos_train": "train",
    "oos_val": "validation",
    "oos_test": "test",
}


def convert(source: dict[str, list[list[str]]]) -> list[dict[str, str]]:
    rows = []
    for key, split in SPLITS.items():
        if key not in source:
            raise ValueError(f"no {key!r} split: want CLINC150's data_full.json")
        rows.extend(
            {"text": text, "intent": label, "split": split}
            for text, label in source[key]
        )
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} data_full.json OUT.jsonl", file=sys.stderr)
        return 2
    try:
        rows = convert(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    except (OSError, ValueError) as e:
        print(f"clinc150_jsonl: error: {e}", file=sys.stderr)
        return 1
    out = Path(argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows
    )
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
    os.replace(tmp, out)
    print(f"clinc150_jsonl: {len(rows)} examples -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
