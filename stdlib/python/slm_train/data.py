"""Reading the jsonl channels that `slm step prepare` writes and mapping labels to ids."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path


class DataError(ValueError):
    """Input data that cannot be trained on; the message names the file and line."""


@dataclasses.dataclass(frozen=True)
class Example:
    text: str
    label: str


def channel_file(channel: Path) -> Path:
    """The data file of a channel: the path itself if a file, else DIR/data.jsonl."""
    if channel.is_file():
        return channel
    f = channel / "data.jsonl"
    if f.is_file():
        return f
    found = sorted(channel.glob("*.jsonl")) if channel.is_dir() else []
    if len(found) == 1:
        return found[0]
    raise DataError(
        f"{channel}: no data.jsonl (want a directory holding data.jsonl from slm step prepare, "
        "or a .jsonl file)"
    )


def read_jsonl(path: Path) -> list[Example]:
    """Reads `{"text": ..., "label": ...}` lines; blank lines are skipped."""
    out: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}:{no}: not JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise DataError(f"{path}:{no}: want a JSON object with text and label")
            text, label = obj.get("text"), obj.get("label")
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{path}:{no}: field text missing, empty or not a string")
            if not isinstance(label, str) or not label:
                raise DataError(f"{path}:{no}: field label missing, empty or not a string")
            out.append(Example(text=text, label=label))
    if not out:
        raise DataError(f"{path}: no examples")
    return out


def build_labels(train: list[Example]) -> list[str]:
    """The label set: every label of the training split, sorted, so ids are deterministic."""
    labels = sorted({e.label for e in train})
    if len(labels) < 2:
        raise DataError(f"training data has {len(labels)} label(s): a classifier needs at least 2")
    return labels


def encode_labels(
    examples: list[Example], labels: list[str], split: str, out_of_scope_label: str | None
) -> list[int]:
    """Label ids; -1 marks an out-of-scope example whose label is not a trained class.

    Any other label missing from the training split is an error: the model could
    never predict it.
    """
    index = {name: i for i, name in enumerate(labels)}
    ids: list[int] = []
    unknown: dict[str, int] = {}
    for e in examples:
        i = index.get(e.label)
        if i is None:
            if out_of_scope_label is None or e.label != out_of_scope_label:
                unknown[e.label] = unknown.get(e.label, 0) + 1
            i = -1
        ids.append(i)
    if unknown:
        names = ", ".join(f"{k} ({v})" for k, v in sorted(unknown.items())[:10])
        raise DataError(
            f"{split} split has labels absent from the training split: {names}; "
            "re-split the data so every label appears in train"
        )
    return ids
