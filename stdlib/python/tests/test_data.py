from __future__ import annotations

from pathlib import Path

import pytest

from slm_train.data import DataError, Example, build_labels, channel_file, encode_labels, read_jsonl


def test_labels_sorted_and_deterministic() -> None:
    train = [
        Example("a", "weather"),
        Example("b", "alarm"),
        Example("c", "oos"),
        Example("d", "alarm"),
    ]
    labels = build_labels(train)
    assert labels == ["alarm", "oos", "weather"]
    assert build_labels(list(reversed(train))) == labels
    assert encode_labels(train, labels, "train", "oos") == [2, 0, 1, 0]


def test_untrained_oos_label_maps_to_minus_one() -> None:
    labels = ["alarm", "weather"]
    val = [Example("x", "alarm"), Example("y", "oos")]
    assert encode_labels(val, labels, "validation", "oos") == [0, -1]


def test_unknown_label_is_an_error() -> None:
    with pytest.raises(DataError, match=r"validation split has labels absent.*timer \(2\)"):
        encode_labels(
            [Example("x", "timer"), Example("y", "timer")],
            ["alarm", "weather"],
            "validation",
            "oos",
        )


def test_single_label_is_an_error() -> None:
    with pytest.raises(DataError, match="at least 2"):
        build_labels([Example("a", "x"), Example("b", "x")])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"text": "hi", "label": "a"}\nnot json\n', ":2: not JSON"),
        ('["hi", "a"]\n', ":1: want a JSON object"),
        ('{"text": "", "label": "a"}\n', ":1: field text"),
        ('{"text": "hi"}\n', ":1: field label"),
        ("\n\n", "no examples"),
    ],
)
def test_bad_jsonl(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "data.jsonl"
    f.write_text(body)
    with pytest.raises(DataError) as e:
        read_jsonl(f)
    assert message in str(e.value)
    assert str(f) in str(e.value)


def test_channel_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no data\.jsonl"):
        channel_file(tmp_path)
    (tmp_path / "data.jsonl").write_text('{"text": "t", "label": "l"}\n')
    assert channel_file(tmp_path) == tmp_path / "data.jsonl"
    assert channel_file(tmp_path / "data.jsonl") == tmp_path / "data.jsonl"
    ex = read_jsonl(channel_file(tmp_path))
    assert ex == [Example("t", "l")]
