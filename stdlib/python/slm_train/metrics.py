"""Classification metrics and the metric lines SageMaker's MetricDefinitions match."""

from __future__ import annotations

import math
from typing import TextIO

import numpy as np
import numpy.typing as npt

METRIC_NAMES = ("train_loss", "eval_loss", "eval_accuracy", "eval_macro_f1")


def metric_line(name: str, value: float, step: int) -> str:
    """`slm_metric name=<name> value=<float> step=<int>` (SPEC.md 2.2).

    The value uses repr-free fixed formatting that the regex
    `value=([-+0-9.eE]+)` matches; non-finite values are refused because the
    regex could not match them.
    """
    if name not in METRIC_NAMES:
        raise ValueError(f"unknown metric {name!r}; want one of {', '.join(METRIC_NAMES)}")
    if not math.isfinite(value):
        raise ValueError(f"metric {name} at step {step} is {value}: training diverged")
    return f"slm_metric name={name} value={value:.6g} step={step}"


def emit(out: TextIO, name: str, value: float, step: int) -> None:
    out.write(metric_line(name, value, step) + "\n")
    out.flush()


def accuracy(y_true: npt.NDArray[np.int64], y_pred: npt.NDArray[np.int64]) -> float:
    if len(y_true) == 0:
        return 0.0
    return float(np.mean(y_true == y_pred))


def macro_f1(y_true: npt.NDArray[np.int64], y_pred: npt.NDArray[np.int64]) -> float:
    """Mean F1 over every class that occurs in y_true or y_pred (sklearn's macro average)."""
    classes = np.union1d(y_true, y_pred)
    if len(classes) == 0:
        return 0.0
    f1s = []
    for c in classes:
        tp = float(np.sum((y_true == c) & (y_pred == c)))
        fp = float(np.sum((y_true != c) & (y_pred == c)))
        fn = float(np.sum((y_true == c) & (y_pred != c)))
        denom = 2 * tp + fp + fn
        f1s.append(0.0 if denom == 0 else 2 * tp / denom)
    return float(np.mean(f1s))
