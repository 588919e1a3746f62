"""Write the 10-intent CLINC150 slice the smoke test uses.

The slice is committed under testdata/clinc150/ (a fresh clone has no
../shared); this script documents and reproduces how it was cut:

    .venv/bin/python scripts/smoke/make_clinc_slice.py \
        /work/shared/datasets/clinc150/data_full.json testdata/clinc150/intent10.jsonl

One intent from each of CLINC150's ten domains, every in-scope example of
those intents (train, val and test: 150 each), plus the first 100 out-of-scope
training queries and the first 50 out-of-scope test queries (label "oos").
Rows are {"text": ..., "intent": ...}, in the source file's order, so prepare
re-splits them with its own seed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INTENTS = (
    "balance",  # banking
    "credit_score",  # credit_cards
    "recipe",  # kitchen_and_dining
    "play_music",  # home
    "traffic",  # auto_and_commute
    "book_flight",  # travel
    "weather",  # utility
    "payday",  # work
    "tell_joke",  # small_talk
    "change_volume",  # meta
)
OOS_TRAIN = 100
OOS_TEST = 50


def slice_rows(data: dict[str, list[list[str]]]) -> list[dict[str, str]]:
    """Return the slice's rows in source order."""
    wanted = set(INTENTS)
    rows = [
        {"text": text, "intent": intent}
        for part in ("train", "val", "test")
        for text, intent in data[part]
        if intent in wanted
    ]
    rows += [{"text": t, "intent": i} for t, i in data["oos_train"][:OOS_TRAIN]]
    rows += [{"text": t, "intent": i} for t, i in data["oos_test"][:OOS_TEST]]
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} DATA_FULL_JSON OUT_JSONL", file=sys.stderr)
        return 2
    data = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    rows = slice_rows(data)
    out = Path(argv[2])
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(out)
    print(f"wrote {len(rows)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
