"""Data-parallel training with two CPU processes on gloo (torchrun), as SageMaker runs it on GPUs.

Two processes with a per-device batch of 4 must train the model one process
trains with a batch of 8 (the same global batches), within float tolerance;
rank 0 alone prints metrics and writes checkpoints and the export; and a run
stopped part-way and resumed under torchrun equals the uninterrupted one.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import train_args
from safetensors.torch import load_file

METRIC = re.compile(r"^slm_metric name=(\w+) value=([-+0-9.eE]+) step=(\d+)$")
PKG = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def no_dropout_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT without dropout: dropout masks are drawn per process, so
    with dropout the two runs could not be compared weight for weight."""
    from conftest import minilm_dir
    from transformers import AutoTokenizer, BertConfig, BertModel

    dest = tmp_path_factory.mktemp("tiny-bert-nodrop")
    torch.manual_seed(1234)
    cfg = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        classifier_dropout=0.0,
    )
    BertModel(cfg).save_pretrained(dest)
    AutoTokenizer.from_pretrained(minilm_dir()).save_pretrained(dest)
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], procs: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PKG), "OMP_NUM_THREADS": "1"}
    if procs == 1:
        cmd = [sys.executable, "-m", "slm_train", *args]
    else:
        cmd = [
            sys.executable, "-m", "torch.distributed.run", "--nnodes", "1",
            "--nproc_per_node", str(procs), "--master_addr", "127.0.0.1",
            "--master_port", str(_free_port()), "-m", "slm_train", *args,
        ]  # fmt: skip
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-4000:]
    return res


def _metrics(stdout: str) -> list[tuple[str, int, float]]:
    out = []
    for line in stdout.splitlines():
        if m := METRIC.match(line):
            out.append((m.group(1), int(m.group(3)), float(m.group(2))))
    return out


def _weights(model_dir: Path) -> dict[str, torch.Tensor]:
    w = {}
    for f in ("model.safetensors", "classifier.safetensors"):
        for k, v in load_file(str(model_dir / "merged" / f)).items():
            w[f + ":" + k] = v
    return w


@pytest.fixture(scope="module")
def runs(
    no_dropout_model: Path, channels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    def args(out: Path, bs: int, *extra: str) -> list[str]:
        a = train_args(no_dropout_model, channels, out, "--lora_dropout", "0", *extra)
        a[a.index("--per_device_train_batch_size") + 1] = str(bs)
        return a

    one, two, resumed = (tmp_path_factory.mktemp(n) for n in ("one", "two", "resumed"))
    got = {"one": (one, _run(args(one, 8), 1)), "two": (two, _run(args(two, 4), 2))}
    first = _run(args(resumed, 4, "--stop_after_steps", "5"), 2)
    assert not (resumed / "model" / "bundle").exists()
    second = _run(args(resumed, 4), 2)
    got["resumed"] = (resumed, subprocess.CompletedProcess([], 0, first.stdout + second.stdout, ""))
    return got


def test_two_processes_train_the_single_process_model(
    runs: dict[str, tuple[Path, subprocess.CompletedProcess[str]]],
) -> None:
    (one, r1), (two, r2) = runs["one"], runs["two"]
    a, b = _weights(one / "model"), _weights(two / "model")
    assert a.keys() == b.keys()
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    assert worst < 1e-4, f"weights differ by {worst:.2e}"
    m1, m2 = _metrics(r1.stdout), _metrics(r2.stdout)
    assert [(n, s) for n, s, _ in m1] == [(n, s) for n, s, _ in m2]
    assert all(abs(x - y) < 1e-4 for (_, _, x), (_, _, y) in zip(m1, m2, strict=True))
    s1 = json.loads((one / "model" / "metrics.json").read_text())
    s2 = json.loads((two / "model" / "metrics.json").read_text())
    assert s1["steps"] == s2["steps"] == 14  # the same global batches: 56 rows / 8


def test_rank_zero_alone_reports_and_writes(
    runs: dict[str, tuple[Path, subprocess.CompletedProcess[str]]],
) -> None:
    two, r2 = runs["two"]
    evals = [s for n, s, _ in _metrics(r2.stdout) if n == "eval_accuracy"]
    assert evals == [7, 14], "each metric line once, from rank 0"
    assert (two / "model" / "bundle" / "manifest.json").is_file()
    assert sorted(p.name for p in (two / "checkpoints").iterdir()) == [
        "checkpoint-00000012",
        "checkpoint-00000014",
    ]
    state = torch.load(two / "checkpoints" / "checkpoint-00000014" / "state.pt", weights_only=True)
    assert len(state["rng_ranks"]) == 2


def test_resume_under_torchrun_equals_uninterrupted(
    runs: dict[str, tuple[Path, subprocess.CompletedProcess[str]]],
) -> None:
    (two, r2), (resumed, rr) = runs["two"], runs["resumed"]
    assert _metrics(rr.stdout) == _metrics(r2.stdout)
    a, b = _weights(two / "model"), _weights(resumed / "model")
    for k in a:
        assert torch.equal(a[k], b[k]), k
