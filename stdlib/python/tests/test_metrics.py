from __future__ import annotations

import io
import re

import numpy as np
import pytest

from slm_train.metrics import accuracy, emit, macro_f1, metric_line

SPEC_REGEX = r"slm_metric name={} value=([-+0-9.eE]+)"


@pytest.mark.parametrize(
    ("name", "value", "step"),
    [("train_loss", 2.302585, 10), ("eval_loss", 1e-9, 3), ("eval_accuracy", 1.0, 100),
     ("eval_macro_f1", 0.123456789, 7)],
)  # fmt: skip
def test_metric_line_matches_spec_regex(name: str, value: float, step: int) -> None:
    line = metric_line(name, value, step)
    assert re.fullmatch(rf"slm_metric name={name} value=\S+ step={step}", line)
    m = re.search(SPEC_REGEX.format(name), line)
    assert m is not None
    assert float(m.group(1)) == pytest.approx(value, rel=1e-5)


@pytest.mark.parametrize(("name", "value"), [("loss", 1.0), ("train_loss", float("nan"))])
def test_metric_line_refuses(name: str, value: float) -> None:
    with pytest.raises(ValueError):
        metric_line(name, value, 1)


def test_emit_writes_one_line() -> None:
    buf = io.StringIO()
    emit(buf, "eval_accuracy", 0.5, 4)
    assert buf.getvalue() == "slm_metric name=eval_accuracy value=0.5 step=4\n"


def test_accuracy_and_macro_f1() -> None:
    y = np.array([0, 0, 1, 1, 2])
    p = np.array([0, 1, 1, 1, 0])
    assert accuracy(y, p) == pytest.approx(0.6)
    # class 0: tp1 fp1 fn1 -> 0.5; class 1: tp2 fp1 fn0 -> 0.8; class 2: tp0 fn1 -> 0
    assert macro_f1(y, p) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert macro_f1(y, y) == 1.0
