"""CLINC150's data_full.json as the raw JSONL the pipeline's dataset reads.

    python scripts/datasets/clinc150_jsonl.py data_full.json OUT.jsonl

Writes one {"text", "intent"} object a line: every example of the six
official splits (train, val, test and their oos_* counterparts, intent
"oos"), in file order. The pipeline's prepare step makes its own seeded,
stratified split, as it would of any team's raw data.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

SPLITS = ("train", "val", "test", "oos_train", "oos_val", "oos_test")


def convert(source: dict[str, list[list[str]]]) -> list[dict[str, str]]:
    rows = []
    for key in SPLITS:
        if key not in source:
            raise ValueError(f"no {key!r} split: want CLINC150's data_full.json")
        rows.extend({"text": text, "intent": label} for text, label in source[key])
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
