"""The drift reference profile (runtime/drift, profile.json): the distribution of a
model's answers over a held-out split, which slm-edge compares live traffic with.

The bins and the answer rule are the edge runtime's (runtime/drift/profile.go,
runtime/answer): top-1 confidence in 10 equal bins, input length in tokens in the
bins of TOKEN_BOUNDS, answered labels (the out-of-scope label when the top class is
it or the best in-scope class scores under the threshold), the out-of-scope rate.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT = "slm-drift-profile"
FORMAT_VERSION = 1
FILE = "profile.json"
CONFIDENCE_BINS = 10
TOKEN_BOUNDS = [6, 8, 10, 12, 14, 16, 20, 28, 40, 64]


def build(
    split: str,
    logits: npt.NDArray[np.float32],
    token_counts: Sequence[int],
    labels: Sequence[str],
    oos_label: str,
    threshold: float,
) -> dict[str, Any]:
    """The profile of a model's answers to `len(logits)` texts."""
    if len(logits) != len(token_counts) or len(logits) == 0:
        raise ValueError(f"{len(logits)} rows of logits for {len(token_counts)} texts")
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    probs = np.exp(z)
    probs /= probs.sum(axis=1, keepdims=True)
    probs = probs.astype(np.float32)  # the runtime's scores are float32
    oos_id = labels.index(oos_label) if oos_label in labels else -1
    confidence = [0] * CONFIDENCE_BINS
    tokens = [0] * (len(TOKEN_BOUNDS) + 1)
    answered: dict[str, int] = {}
    oos = 0
    for row, n in zip(probs, token_counts, strict=True):
        top = int(np.argmax(row))  # ties: the lowest class id, as the runtime's stable sort
        in_scope = row.copy()
        if oos_id >= 0:
            in_scope[oos_id] = -1.0
        best = int(np.argmax(in_scope))
        out = top == oos_id or float(row[best]) < np.float32(threshold)
        label = oos_label if out else labels[top]
        oos += int(out)
        answered[label] = answered.get(label, 0) + 1
        confidence[min(max(int(float(row[top]) * CONFIDENCE_BINS), 0), CONFIDENCE_BINS - 1)] += 1
        tokens[bisect.bisect_right(TOKEN_BOUNDS, n)] += 1
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "split": split,
        "examples": len(token_counts),
        "confidence": confidence,
        "token_bounds": TOKEN_BOUNDS,
        "tokens": tokens,
        "labels": dict(sorted(answered.items())),
        "out_of_scope_rate": oos / len(token_counts),
    }
