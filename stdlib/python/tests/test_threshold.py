from __future__ import annotations

import numpy as np
import pytest

from slm_train.threshold import choose_threshold


def probs(rows: list[tuple[int, float]], classes: int = 3) -> np.ndarray:
    """Rows of (top class, top score); the rest of the mass spread over the others."""
    out = np.zeros((len(rows), classes))
    for i, (c, s) in enumerate(rows):
        out[i, :] = (1 - s) / (classes - 1)
        out[i, c] = s
    return out


@pytest.mark.parametrize(
    ("name", "rows", "labels", "oos_id", "drop", "want_t", "want_acc", "want_rec"),
    [
        (
            "no oos in validation: threshold 0",
            [(0, 0.9), (1, 0.4)],
            [0, 1],
            None,
            0.01,
            0.0,
            1.0,
            0.0,
        ),
        (
            "separable: reject every oos, keep every in-scope",
            [(0, 0.95), (1, 0.9), (0, 0.5), (1, 0.45)],
            [0, 1, -1, -1],
            None,
            0.0,
            0.7,
            1.0,
            1.0,
        ),
        (
            "drop cap forbids losing the low-confidence in-scope example",
            [(0, 0.95), (1, 0.4), (0, 0.5), (1, 0.6)],
            [0, 1, -1, -1],
            None,
            0.0,
            0.0,
            1.0,
            0.0,
        ),
        (
            "with a 50% cap the trade is worth it",
            [(0, 0.95), (1, 0.4), (0, 0.5), (1, 0.6)],
            [0, 1, -1, -1],
            None,
            0.5,
            0.775,
            0.5,
            1.0,
        ),
        (
            "trained oos class counts as rejection",
            [(0, 0.9), (2, 0.9), (1, 0.8)],
            [0, 2, 2],
            2,
            0.0,
            0.85,
            1.0,
            1.0,
        ),
    ],
)
def test_choose_threshold(
    name: str,
    rows: list[tuple[int, float]],
    labels: list[int],
    oos_id: int | None,
    drop: float,
    want_t: float,
    want_acc: float,
    want_rec: float,
) -> None:
    c = choose_threshold(probs(rows), np.array(labels), oos_id, drop)
    assert c.threshold == pytest.approx(want_t), name
    assert c.in_scope_accuracy == pytest.approx(want_acc), name
    assert c.out_of_scope_recall == pytest.approx(want_rec), name


def test_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="do not match"):
        choose_threshold(np.zeros((2, 3)), np.zeros(3, dtype=np.int64), None, 0.0)
