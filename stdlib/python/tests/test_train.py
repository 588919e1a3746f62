"""The training step end to end with a tiny BERT: bundles, metrics, resume, export."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import train_args
from safetensors.torch import load_file

from slm_train import cli
from slm_train.bundle import verify_bundle
from slm_train.checkpoint import latest

METRIC = re.compile(r"^slm_metric name=(\w+) value=([-+0-9.eE]+) step=(\d+)$")


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(args)
    out = capsys.readouterr().out
    return code, [line for line in out.splitlines() if line.startswith("slm_metric")]


@pytest.fixture(scope="module")
def full_run(
    tiny_model: Path, channels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    """One uninterrupted run with int8 quantisation, shared by the tests below."""
    out = tmp_path_factory.mktemp("full")
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = cli.main(train_args(tiny_model, channels, out, "--quantize_int8", "true"))
    assert code == 0
    return out, [x for x in buf.getvalue().splitlines() if x.startswith("slm_metric")]


def test_metric_lines(full_run: tuple[Path, list[str]]) -> None:
    _, lines = full_run
    seen: dict[str, list[tuple[int, float]]] = {}
    for line in lines:
        m = METRIC.match(line)
        assert m, line
        seen.setdefault(m.group(1), []).append((int(m.group(3)), float(m.group(2))))
    assert set(seen) == {"train_loss", "eval_loss", "eval_accuracy", "eval_macro_f1"}
    # 48+8 train rows, batch 8 -> 7 steps an epoch, 2 epochs: eval at 7 and 14.
    assert [s for s, _ in seen["eval_accuracy"]] == [7, 14]
    assert [s for s, _ in seen["train_loss"]] == [2, 4, 6, 7, 8, 10, 12, 14]


def test_bundles(full_run: tuple[Path, list[str]]) -> None:
    out, _ = full_run
    model_dir = out / "model"
    fp32 = verify_bundle(model_dir / "bundle")
    int8 = verify_bundle(model_dir / "bundle-int8")
    labels = json.loads((model_dir / "bundle" / "labels.json").read_text())
    assert labels == sorted(labels)
    assert "oos" in labels and len(labels) == 5
    assert fp32["precision"] == "fp32" and int8["precision"] == "int8"
    for m in (fp32, int8):
        assert m["max_seq_length"] == 24
        assert m["out_of_scope_label"] == "oos"
        assert 0.0 <= m["confidence_threshold"] < 1.0
        assert m["base_model"] == "tiny-bert0"
        assert m["model_version"] == fp32["model_version"]
    assert int8["files"]["model.onnx"] != fp32["files"]["model.onnx"]
    assert "quantization" not in fp32
    for b in ("bundle", "bundle-int8"):
        prof = json.loads((model_dir / b / "profile.json").read_text())
        assert prof["format"] == "slm-drift-profile" and prof["split"] == "validation"
        assert prof["examples"] == sum(prof["confidence"]) == sum(prof["tokens"])
        assert sum(prof["labels"].values()) == prof["examples"]
        assert 0.0 <= prof["out_of_scope_rate"] <= 1.0
    q = int8["quantization"]
    assert q["method"] == "static" and q["format"] == "qdq"
    assert q["calibration"]["split"] == "train" and q["calibration"]["examples"] == 56
    assert int8["files"]["tokenizer.json"] == fp32["files"]["tokenizer.json"]
    size = lambda b: sum(  # noqa: E731
        (model_dir / b / f).stat().st_size for f in ("model.onnx", "model.data")
    )
    # The weights live beside the graph (ONNX external data), listed like every file.
    assert set(fp32["files"]) == {
        "labels.json",
        "model.data",
        "model.onnx",
        "profile.json",
        "tokenizer.json",
    }
    assert (model_dir / "bundle" / "model.onnx").stat().st_size < 1_000_000
    assert size("bundle-int8") < size("bundle") * 0.6
    tok = json.loads((model_dir / "bundle" / "tokenizer.json").read_text())
    assert tok["truncation"]["max_length"] == 24
    assert tok["padding"] is None
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["steps"] == 14
    assert metrics["bundles"]["bundle"]["onnx_vs_pytorch_max_abs_diff"] < 1e-3
    assert metrics["bundles"]["bundle"]["confidence_threshold"] == fp32["confidence_threshold"]
    assert (out / "output" / "metrics.json").read_bytes() == (
        model_dir / "metrics.json"
    ).read_bytes()
    assert (model_dir / "bundle.tar.gz").is_file() and (model_dir / "bundle-int8.tar.gz").is_file()


def test_int8_answer_independent_of_batch(full_run: tuple[Path, list[str]]) -> None:
    """Static quantisation: a text's int8 logits are the same alone and among
    padded companions (dynamic quantisation scaled over the whole batch)."""
    from tokenizers import Tokenizer

    from slm_train.export import onnx_logits, onnx_session

    out, _ = full_run
    bundle = out / "model" / "bundle-int8"
    tok = Tokenizer.from_file(str(bundle / "tokenizer.json"))
    texts = ["what is my credit score", "set an alarm for seven", "x " * 40, "é ß 東京", "hi"]
    rows = [e.ids for e in tok.encode_batch(texts)]
    sess = onnx_session(bundle / "model.onnx", threads=1)
    alone = onnx_logits(sess, rows, batch_size=1, pad_id=0)
    together = onnx_logits(sess, rows, batch_size=len(rows), pad_id=0)
    assert np.abs(alone - together).max() <= 1e-6


def test_onnx_equals_pytorch_logits(full_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """ONNX Runtime over the bundle vs the logits helper over the merged PyTorch model."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    out, _ = full_run
    bundle = out / "model" / "bundle"
    texts = ["what is my credit score", "set an alarm for seven", "x " * 40, "é ß 東京"]
    f = tmp_path / "texts.jsonl"
    f.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    proc = subprocess.run(
        [sys.executable, "-m", "slm_train.logits", "--bundle", str(bundle), "--texts", str(f)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["labels"] == json.loads((bundle / "labels.json").read_text())
    sess = ort.InferenceSession(str(bundle / "model.onnx"), providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(bundle / "tokenizer.json"))
    for text, want in zip(texts, got["logits"], strict=True):
        enc = tok.encode(text)
        assert len(enc.ids) <= 24
        feed = {
            "input_ids": np.array([enc.ids], dtype=np.int64),
            "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([enc.type_ids], dtype=np.int64),
        }
        logits = sess.run(["logits"], feed)[0][0]
        assert np.abs(logits - np.array(want)).max() < 1e-3
    # A batch of mixed lengths (padding) must agree too: dynamic batch and sequence axes.
    encs = tok.encode_batch(texts[:3])
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((3, width), dtype=np.int64)
    mask = np.zeros((3, width), dtype=np.int64)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)], mask[i, : len(e.ids)] = e.ids, 1
    batch = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask,
                                  "token_type_ids": np.zeros_like(ids)})[0]  # fmt: skip
    assert np.abs(batch - np.array(got["logits"][:3])).max() < 1e-3


def test_resume_equals_uninterrupted(
    full_run: tuple[Path, list[str]],
    tiny_model: Path,
    channels: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Stop part-way (mid-epoch, between checkpoints), resume, and get the same result."""
    ref_out, ref_lines = full_run
    args = train_args(tiny_model, channels, tmp_path, "--quantize_int8", "true")
    code, first = run_cli([*args, "--stop_after_steps", "5"], capsys)
    assert code == 0
    assert not (tmp_path / "model" / "bundle").exists()
    ckpt = latest(tmp_path / "checkpoints")
    assert ckpt is not None and ckpt.name == "checkpoint-00000005"
    code, second = run_cli(args, capsys)
    assert code == 0
    assert first + second == ref_lines
    ref = json.loads((ref_out / "model" / "metrics.json").read_text())
    got = json.loads((tmp_path / "model" / "metrics.json").read_text())
    assert got["history"] == ref["history"]
    assert got["final"] == ref["final"]
    for weights in ("model.safetensors", "classifier.safetensors"):  # encoder, head
        a = load_file(str(ref_out / "model" / "merged" / weights))
        b = load_file(str(tmp_path / "model" / "merged" / weights))
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), (weights, k)
    ref_manifest = json.loads((ref_out / "model" / "bundle" / "manifest.json").read_text())
    manifest = json.loads((tmp_path / "model" / "bundle" / "manifest.json").read_text())
    assert manifest == ref_manifest  # the same ONNX bytes, labels, tokenizer and threshold


def test_checkpoint_of_other_run_is_refused(
    full_run: tuple[Path, list[str]],
    tiny_model: Path,
    channels: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref_out, _ = full_run
    args = train_args(tiny_model, channels, tmp_path, "--lora_r", "2")
    args[args.index("--checkpoint-dir") + 1] = str(ref_out / "checkpoints")
    assert cli.main(args) == 1
    assert "belongs to a run with other data or hyperparameters" in capsys.readouterr().err


def test_qlora_refused_without_cuda(
    tiny_model: Path,
    channels: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code = cli.main(train_args(tiny_model, channels, tmp_path, "--method", "qlora"))
    assert code == 2
    err = capsys.readouterr().err
    assert "method=qlora needs a CUDA GPU" in err and "method=lora" in err
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    ("mutate", "code", "message"),
    [
        (lambda a, p: [*a, "--lora_r", "x"], 2, "lora_r='x': want an integer"),
        (lambda a, p: [*a, "--train", str(p)], 1, "no data.jsonl"),
        (lambda a, p: [*a, "--model_name_or_path", str(p / "nope")], 1, "error"),
        (lambda a, p: [*a, "--lora_target_modules", "nosuch"], 1, "lora_target_modules=nosuch"),
    ],
)
def test_bad_input_exits_with_message(
    tiny_model: Path,
    channels: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate,  # type: ignore[no-untyped-def]
    code: int,
    message: str,
) -> None:
    args = mutate(train_args(tiny_model, channels, tmp_path), tmp_path)
    assert cli.main(args) == code
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("n", "bs"), [(1, 4), (10, 3), (1000, 8), (801, 16)])
def test_epoch_batches_cover_every_row_once(n: int, bs: int) -> None:
    from slm_train.trainer import epoch_batches

    lengths = np.random.default_rng(n).integers(1, 40, size=n)
    batches = epoch_batches(lengths, bs, seed=3, epoch=1)
    assert len(batches) == -(-n // bs)
    assert sorted(np.concatenate(batches).tolist()) == list(range(n))
    again = epoch_batches(lengths, bs, seed=3, epoch=1)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    other = epoch_batches(lengths, bs, seed=3, epoch=2)
    assert n < 10 or any(not np.array_equal(a, b) for a, b in zip(batches, other, strict=False))


def test_without_out_of_scope_class(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data without an out-of-scope class (out_of_scope_label given empty, as the
    compiler passes it when export.out_of_scope_label is left out): the bundle
    has an empty label and threshold 0, and the bundle evaluation leaves the
    OOS metrics out and reports macro F1."""
    from conftest import slice_rows, write_channel

    from slm_train import evaluate_bundle

    ch = {
        "train": write_channel(tmp_path / "train", slice_rows("train", 4, 12, 0)),
        "validation": write_channel(tmp_path / "validation", slice_rows("validation", 4, 5, 0)),
    }
    code, _ = run_cli(train_args(tiny_model, ch, tmp_path, "--out_of_scope_label", ""), capsys)
    assert code == 0
    manifest = json.loads((tmp_path / "model" / "bundle" / "manifest.json").read_text())
    assert manifest["out_of_scope_label"] == ""
    assert manifest["confidence_threshold"] == 0
    got = evaluate_bundle.evaluate(tmp_path / "model" / "bundle", ch["validation"], 1)
    assert "out_of_scope_recall" not in got and "out_of_scope_precision" not in got
    assert 0 <= got["macro_f1"] <= 1
