"""Choosing the out-of-scope confidence threshold on the validation split.

A prediction is out of scope when the top class is the out-of-scope label or
the top softmax score is below the threshold (SPEC.md section 3). The rule:

1. Candidates are 0 and the midpoints between consecutive distinct top scores
   of the validation examples (every distinct decision the threshold can make).
2. Keep the candidates whose in-scope accuracy is at most `max_in_scope_drop`
   below the in-scope accuracy at threshold 0 (so OOS recall is never bought
   with a large loss on real intents).
3. Among those, pick the one maximising in-scope accuracy + out-of-scope
   recall (balanced, whatever the class sizes); ties go to the lowest.

Without out-of-scope examples in validation the threshold is 0: there is
nothing to calibrate against, and rejecting anything would only cost accuracy.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt


@dataclasses.dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    in_scope_accuracy: float
    out_of_scope_recall: float
    in_scope_examples: int
    out_of_scope_examples: int


def choose_threshold(
    probs: npt.NDArray[np.float64],
    label_ids: npt.NDArray[np.int64],
    oos_id: int | None,
    max_in_scope_drop: float,
) -> ThresholdChoice:
    """probs: [N, C] softmax scores; label_ids: class ids, -1 for an untrained OOS label."""
    if probs.ndim != 2 or probs.shape[0] != label_ids.shape[0]:
        raise ValueError(f"probs {probs.shape} and labels {label_ids.shape} do not match")
    top = probs.argmax(axis=1)
    score = probs.max(axis=1)
    is_oos = label_ids == -1
    if oos_id is not None:
        is_oos |= label_ids == oos_id
    top_oos = top == oos_id if oos_id is not None else np.zeros_like(is_oos)
    n_in, n_oos = int((~is_oos).sum()), int(is_oos.sum())

    def rates(t: float) -> tuple[float, float]:
        rejected = top_oos | (score < t)
        acc = float(((top == label_ids) & ~rejected & ~is_oos).sum()) / max(n_in, 1)
        rec = float((rejected & is_oos).sum()) / max(n_oos, 1)
        return acc, rec

    if n_oos == 0:
        acc, rec = rates(0.0)
        return ThresholdChoice(0.0, acc, 0.0, n_in, 0)
    distinct = np.unique(score)
    cands = np.concatenate([[0.0], (distinct[:-1] + distinct[1:]) / 2.0])
    cands = np.unique(np.round(cands, 6))
    base_acc, _ = rates(0.0)
    best: tuple[float, float, float] | None = None
    for t in cands:
        acc, rec = rates(float(t))
        if acc < base_acc - max_in_scope_drop - 1e-12:
            continue
        if best is None or acc + rec > best[1] + best[2] + 1e-12:
            best = (float(t), acc, rec)
    assert best is not None  # threshold 0 always qualifies
    return ThresholdChoice(best[0], best[1], best[2], n_in, n_oos)
