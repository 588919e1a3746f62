"""The training loop: deterministic batches, periodic checkpoints, exact resume."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
import torch
from transformers import PreTrainedTokenizerBase, get_linear_schedule_with_warmup

from . import checkpoint, metrics
from .config import Hyperparameters
from .distributed import SINGLE, World, gather, sum_gradients, sum_scalar


@dataclasses.dataclass(frozen=True)
class Encoded:
    """Tokenised texts (unpadded) and their label ids (-1: untrained out-of-scope label)."""

    input_ids: list[list[int]]
    labels: npt.NDArray[np.int64]


def encode(
    tok: PreTrainedTokenizerBase, texts: list[str], labels: list[int], max_len: int
) -> Encoded:
    enc = tok(texts, truncation=True, max_length=max_len, padding=False)
    return Encoded(input_ids=list(enc["input_ids"]), labels=np.asarray(labels, dtype=np.int64))


def collate(rows: list[list[int]], pad_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    """Pads a batch to its longest row (short intents make fixed padding wasteful)."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "token_type_ids": torch.zeros_like(ids).to(device),
    }


# Batches are drawn from groups of this many batches sorted by length, so rows
# of a batch have similar lengths and padding (wasted compute) stays small.
_GROUP_BATCHES = 50


def epoch_batches(
    lengths: npt.NDArray[np.int64], bs: int, seed: int, epoch: int
) -> list[npt.NDArray[np.int64]]:
    """The epoch's batches of row indices: shuffled, length-grouped, in shuffled order.

    They depend only on (seed, epoch), so a resumed run sees the same batches.
    Every row appears once; there are ceil(n / bs) batches.
    """
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    perm = torch.randperm(len(lengths), generator=g).numpy()
    group = bs * _GROUP_BATCHES
    batches: list[npt.NDArray[np.int64]] = []
    for start in range(0, len(perm), group):
        chunk = perm[start : start + group]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + bs] for i in range(0, len(chunk), bs))
    order = torch.randperm(len(batches), generator=g).tolist()
    return [batches[i] for i in order]


@dataclasses.dataclass
class EvalResult:
    loss: float
    accuracy: float
    macro_f1: float
    probs: npt.NDArray[np.float64]


def evaluate(
    model: torch.nn.Module, data: Encoded, batch_size: int, pad_id: int, device: torch.device
) -> EvalResult:
    """Loss, accuracy and macro F1 over examples with a trained label; softmax over all."""
    was_training = model.training
    model.eval()
    logits_parts = []
    with torch.no_grad():
        for start in range(0, len(data.input_ids), batch_size):
            batch = collate(data.input_ids[start : start + batch_size], pad_id, device)
            logits_parts.append(model(**batch).logits.float().cpu())
    if was_training:
        model.train()
    logits = torch.cat(logits_parts)
    labels = torch.from_numpy(data.labels)
    known = labels >= 0
    loss = (
        float(torch.nn.functional.cross_entropy(logits[known], labels[known]))
        if bool(known.any())
        else 0.0
    )
    pred = logits.argmax(dim=1).numpy()
    k = known.numpy()
    return EvalResult(
        loss=loss,
        accuracy=metrics.accuracy(data.labels[k], pred[k]),
        macro_f1=metrics.macro_f1(data.labels[k], pred[k]),
        probs=torch.softmax(logits.double(), dim=1).numpy(),
    )


@dataclasses.dataclass
class TrainOutcome:
    finished: bool  # False when stopped early by stop_after_steps
    steps: int
    history: list[dict[str, float]]


def _optimizer(model: torch.nn.Module, hp: Hyperparameters) -> torch.optim.Optimizer:
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim < 2 or "LayerNorm" in name else decay).append(p)
    groups = [
        {"params": decay, "weight_decay": hp.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=hp.learning_rate)


def _rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["cpu"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def train(
    model: torch.nn.Module,
    hp: Hyperparameters,
    train_data: Encoded,
    val_data: Encoded,
    pad_id: int,
    device: torch.device,
    checkpoint_dir: Path,
    fingerprint: str,
    out: TextIO | None = None,
    world: World = SINGLE,
) -> TrainOutcome:
    """Trains `model` in place, resuming from the newest checkpoint in checkpoint_dir.

    With several processes (distributed.World), each step's global batch of
    per_device_train_batch_size x world.size rows is split between them by
    rank; each scales its loss by its share of the batch, and the gradients
    are summed, so every process applies the update one process would. Rank 0
    alone prints metric lines and writes checkpoints (holding every rank's
    RNG state, so a resumed run is the uninterrupted one).
    """
    out = out or sys.stdout  # looked up per call: tests and wrappers may swap sys.stdout
    n = len(train_data.input_ids)
    bs = hp.per_device_train_batch_size * world.size
    steps_per_epoch = math.ceil(n / bs)
    total = max(1, math.ceil(hp.epochs * steps_per_epoch))
    opt = _optimizer(model, hp)
    sched = get_linear_schedule_with_warmup(opt, int(hp.warmup_ratio * total), total)
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]

    step, loss_sum, loss_count = 0, 0.0, 0
    history: list[dict[str, float]] = []
    ckpt = checkpoint.latest(checkpoint_dir)
    if ckpt is not None:
        state = checkpoint.load(ckpt, fingerprint)
        missing = model.load_state_dict(state["trainable"], strict=False)
        if missing.unexpected_keys:
            raise checkpoint.CheckpointError(
                f"{ckpt}: unexpected keys {missing.unexpected_keys[:5]}"
            )
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        step = int(state["step"])
        loss_sum, loss_count = float(state["loss_sum"]), int(state["loss_count"])
        history = list(state["history"])
        ranks = state.get("rng_ranks")
        _set_rng_state(ranks[world.rank] if ranks else state["rng"])
        if world.is_main:
            print(f"slm_train: resumed from {ckpt} at step {step} of {total}", file=sys.stderr)
    # Progress views (slm run) read the plan of the run from this line.
    if world.is_main:
        print(f"slm_train: training {total} steps, {steps_per_epoch} per epoch", file=sys.stderr)

    def save() -> None:
        rngs = gather(_rng_state(), world)  # every rank takes part
        if not world.is_main:
            return
        checkpoint.save(
            checkpoint_dir,
            step,
            {
                "fingerprint": fingerprint,
                "step": step,
                "trainable": {
                    k: v.detach().cpu()
                    for k, v in model.state_dict().items()
                    if k in dict(trainable)
                },
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "loss_sum": loss_sum,
                "loss_count": loss_count,
                "history": history,
                "rng": rngs[0],
                "rng_ranks": rngs,
            },
        )

    model.train()
    lengths = np.array([len(r) for r in train_data.input_ids])
    perm_epoch, batches = -1, []
    while step < total:
        epoch, pos = divmod(step, steps_per_epoch)
        if epoch != perm_epoch:
            batches, perm_epoch = epoch_batches(lengths, bs, hp.seed, epoch), epoch
        idx = batches[pos]
        if world.size > 1:
            # This process's share of the global batch; its mean loss is
            # weighted by the share, so the summed gradients are the global
            # batch's mean.
            mine = idx[world.rank :: world.size]
            if len(mine) > 0:
                batch = collate([train_data.input_ids[i] for i in mine], pad_id, device)
                labels = torch.from_numpy(train_data.labels[mine]).to(device)
                loss = model(**batch, labels=labels).loss * (len(mine) / len(idx))
                loss.backward()
                local_loss = float(loss.detach())
            else:
                local_loss = 0.0
            sum_gradients([p for _, p in trainable], world)
            step_loss = sum_scalar(local_loss, world, device)
        else:
            batch = collate([train_data.input_ids[i] for i in idx], pad_id, device)
            labels = torch.from_numpy(train_data.labels[idx]).to(device)
            loss = model(**batch, labels=labels).loss
            loss.backward()
            step_loss = float(loss.detach())
        torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        loss_sum += step_loss
        loss_count += 1
        epoch_end = step % steps_per_epoch == 0 or step == total
        if step % hp.logging_steps == 0 or epoch_end:
            if world.is_main:
                metrics.emit(out, "train_loss", loss_sum / loss_count, step)
            loss_sum, loss_count = 0.0, 0
        if epoch_end:
            # Every process holds the same weights, so each evaluates alike;
            # only rank 0 reports.
            ev = evaluate(model, val_data, hp.per_device_eval_batch_size, pad_id, device)
            if world.is_main:
                metrics.emit(out, "eval_loss", ev.loss, step)
                metrics.emit(out, "eval_accuracy", ev.accuracy, step)
                metrics.emit(out, "eval_macro_f1", ev.macro_f1, step)
            history.append(
                {
                    "step": step,
                    "epoch": step / steps_per_epoch,
                    "eval_loss": ev.loss,
                    "eval_accuracy": ev.accuracy,
                    "eval_macro_f1": ev.macro_f1,
                }
            )
        if step % hp.save_steps == 0 or epoch_end:
            save()
        if hp.stop_after_steps is not None and step >= hp.stop_after_steps and step < total:
            save()
            if world.is_main:
                print(f"slm_train: stopped after step {step} (stop_after_steps)", file=sys.stderr)
            return TrainOutcome(finished=False, steps=step, history=history)
    return TrainOutcome(finished=True, steps=step, history=history)
