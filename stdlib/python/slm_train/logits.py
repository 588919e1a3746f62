"""`python -m slm_train.logits`: PyTorch logits of the merged model, as JSON.

The end-to-end smoke compares these with what the edge runtime computes through
ONNX Runtime. Texts are tokenised with the bundle's own tokenizer.json (so both
sides see the same token ids), one text at a time (no padding).

    python -m slm_train.logits --bundle MODEL_DIR/bundle --texts FILE [--merged DIR]

FILE: one text per line, or jsonl lines with a "text" field. --merged defaults
to the bundle's sibling `merged/` folder (written by the training step).
Output on stdout: {"labels": [...], "logits": [[...], ...], "texts": [...]}.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def read_texts(path: Path) -> list[str]:
    texts = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{no}: looks like JSON but is not ({e.msg})") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError(f'{path}:{no}: want a "text" string field')
            texts.append(obj["text"])
        else:
            texts.append(line)
    if not texts:
        raise ValueError(f"{path}: no texts")
    return texts


def compute(bundle_dir: Path, merged_dir: Path, texts: list[str]) -> dict[str, object]:
    import torch
    from tokenizers import Tokenizer

    from . import classifier
    from .bundle import verify_bundle

    verify_bundle(bundle_dir)
    labels = json.loads((bundle_dir / "labels.json").read_text(encoding="utf-8"))
    tok = Tokenizer.from_file(str(bundle_dir / "tokenizer.json"))
    model = classifier.load(merged_dir)
    rows = []
    with torch.no_grad():
        for text in texts:
            enc = tok.encode(text)
            ids = torch.tensor([enc.ids], dtype=torch.long)
            out = model(
                input_ids=ids,
                attention_mask=torch.tensor([enc.attention_mask], dtype=torch.long),
                token_type_ids=torch.tensor([enc.type_ids], dtype=torch.long),
            )
            rows.append([float(x) for x in out.logits[0]])
    return {"labels": labels, "logits": rows, "texts": texts}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m slm_train.logits", description=__doc__.split("\n")[0]
    )
    p.add_argument("--bundle", required=True, type=Path, help="bundle directory")
    p.add_argument("--texts", required=True, type=Path, help="file: one text per line, or jsonl")
    p.add_argument("--merged", type=Path, help="merged PyTorch model (default: BUNDLE/../merged)")
    args = p.parse_args(argv)
    merged = args.merged or args.bundle.resolve().parent / "merged"
    try:
        texts = read_texts(args.texts)
        if not (merged / "classifier.json").is_file():
            raise ValueError(f"{merged}: no merged model (classifier.json); pass --merged DIR")
        result = compute(args.bundle, merged, texts)
    except (OSError, ValueError) as e:
        print(f"slm_train.logits: error: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
