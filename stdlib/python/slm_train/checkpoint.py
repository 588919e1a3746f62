"""Checkpoints for resuming after a spot interruption.

SageMaker syncs /opt/ml/checkpoints to S3 and restores it when a spot job
restarts. A checkpoint holds only what training changes (LoRA matrices, the
head, optimizer and scheduler state, the step, the RNG state and the logging
window), so resuming reproduces the uninterrupted run exactly. Each one is
written to a temporary directory and renamed into place, so a checkpoint that
exists is complete.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

_NAME = re.compile(r"^checkpoint-(\d{8})$")
_STATE = "state.pt"
KEEP = 2


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be resumed from."""


def latest(directory: Path) -> Path | None:
    """The newest complete checkpoint in `directory`, or None."""
    if not directory.is_dir():
        return None
    found = sorted(
        (int(m.group(1)), p)
        for p in directory.iterdir()
        if (m := _NAME.match(p.name)) and (p / _STATE).is_file()
    )
    return found[-1][1] if found else None


def save(directory: Path, step: int, state: dict[str, Any]) -> Path:
    """Writes checkpoint-<step> atomically and prunes all but the newest KEEP."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"checkpoint-{step:08d}"
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-checkpoint-", dir=directory))
    try:
        torch.save(state, tmp / _STATE)
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    existing = sorted(p for p in directory.iterdir() if _NAME.match(p.name))
    for old in existing[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load(path: Path, fingerprint: str) -> dict[str, Any]:
    """Loads a checkpoint, refusing one written for other data or hyperparameters."""
    try:
        state: dict[str, Any] = torch.load(path / _STATE, map_location="cpu", weights_only=True)
    except Exception as e:  # a corrupt file: say which and how to recover
        raise CheckpointError(
            f"{path}: cannot read checkpoint ({e}); delete it to restart training"
        ) from e
    if state.get("fingerprint") != fingerprint:
        raise CheckpointError(
            f"{path}: checkpoint belongs to a run with other data or hyperparameters; "
            f"empty {path.parent} (or pass another --checkpoint-dir) to start afresh"
        )
    return state
