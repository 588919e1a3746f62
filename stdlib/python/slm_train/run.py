"""The training step from end to end: data, training, threshold, export, bundles."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import torch
from tokenizers import Tokenizer

from . import bundle, data, distributed, export, model, profile, threshold, trainer
from .classifier import SequenceClassifier
from .config import Config, Hyperparameters

# Validation examples compared between ONNX Runtime and PyTorch after export.
_CHECK_EXAMPLES = 256
_CHECK_TOLERANCE = 1e-3
# Hyperparameters that do not change the trained weights, left out of the
# checkpoint fingerprint so a resumed run may change them.
_RUN_ONLY = {"save_steps", "stop_after_steps", "num_threads", "model_version", "quantize_int8"}


def default_base_model(hp: Hyperparameters) -> str:
    """What the manifest calls the base model: the hub id, or a local folder's name.

    A local path would make the manifest differ between machines; the folder's
    name (its parent's when it is the generic "model") is stable.
    """
    if hp.base_model:
        return hp.base_model
    p = Path(hp.model_name_or_path)
    if p.is_dir():
        p = p.resolve()
        return p.parent.name if p.name == "model" else p.name
    return hp.model_name_or_path


def fingerprint(
    hp: Hyperparameters, labels: list[str], files: list[Path], world_size: int = 1
) -> str:
    h = hashlib.sha256()
    fields = {k: v for k, v in sorted(vars(hp).items()) if k not in _RUN_ONLY}
    if world_size > 1:
        # The global batch (and so every update) depends on the process count.
        fields["world_size"] = world_size
    h.update(json.dumps(fields, sort_keys=True, default=list).encode())
    h.update(json.dumps(labels).encode())
    for f in files:
        h.update(bundle.sha256_file(f).encode())
    return h.hexdigest()


def bundle_tokenizer(tok: Any, max_seq_length: int) -> bytes:
    """tokenizer.json with truncation at max_seq_length and no padding, as the runtime uses it."""
    t = Tokenizer.from_str(tok.backend_tokenizer.to_str())
    t.enable_truncation(max_length=max_seq_length)
    t.no_padding()
    return (t.to_str() + "\n").encode("utf-8")


def run(cfg: Config, out: TextIO | None = None) -> dict[str, Any] | None:
    """Runs the step; returns metrics.json's content, or None when stopped by stop_after_steps.

    Under torchrun every process trains (distributed.py); only rank 0 goes on
    to choose the threshold and write the export, the others return None.
    """
    out = out or sys.stdout
    world = distributed.init()
    try:
        return _run(cfg, out, world)
    finally:
        distributed.shutdown(world)


def _run(cfg: Config, out: TextIO, world: distributed.World) -> dict[str, Any] | None:
    hp, paths = cfg.hp, cfg.paths
    if hp.method == "qlora" and world.size > 1:
        raise ValueError(
            "method qlora trains in one process; run it without torchrun (instance_count 1)"
        )
    if hp.method == "qlora":
        model.check_qlora_available()
    if hp.num_threads:
        torch.set_num_threads(hp.num_threads)
    train_file = data.channel_file(paths.train)
    val_file = data.channel_file(paths.validation)
    train_ex = data.read_jsonl(train_file)
    val_ex = data.read_jsonl(val_file)
    labels = data.build_labels(train_ex)
    train_ids = data.encode_labels(train_ex, labels, "train", hp.out_of_scope_label)
    val_ids = data.encode_labels(val_ex, labels, "validation", hp.out_of_scope_label)

    random.seed(hp.seed)
    np.random.seed(hp.seed)
    torch.manual_seed(hp.seed)
    tok = model.load_tokenizer(hp)
    pad_id = int(tok.pad_token_id or 0)
    train_enc = trainer.encode(tok, [e.text for e in train_ex], train_ids, hp.max_seq_length)
    val_enc = trainer.encode(tok, [e.text for e in val_ex], val_ids, hp.max_seq_length)
    device = distributed.device(world)
    peft_model = model.build_model(hp, labels)
    if hp.method == "lora":
        peft_model.to(device)
    fp = fingerprint(hp, labels, [train_file, val_file], world.size)
    outcome = trainer.train(
        peft_model, hp, train_enc, val_enc, pad_id, device, paths.checkpoint_dir, fp, out, world
    )
    if not outcome.finished or not world.is_main:
        return None

    final = trainer.evaluate(peft_model, val_enc, hp.per_device_eval_batch_size, pad_id, device)
    oos = hp.out_of_scope_label
    oos_id = labels.index(oos) if oos is not None and oos in labels else None
    choice = threshold.choose_threshold(
        final.probs, val_enc.labels, oos_id, hp.oos_max_in_scope_drop
    )

    paths.model_dir.mkdir(parents=True, exist_ok=True)
    merged = model.merged_fp32(hp, labels, peft_model)
    merged_dir = paths.model_dir / "merged"
    _save_merged(merged, tok, merged_dir)

    tok_json = bundle_tokenizer(tok, hp.max_seq_length)
    labels_json = bundle.json_bytes(labels)
    check_rows = val_enc.input_ids[:_CHECK_EXAMPLES]
    result: dict[str, Any] = {
        "labels": len(labels),
        "train_examples": len(train_ex),
        "validation_examples": len(val_ex),
        "steps": outcome.steps,
        "history": outcome.history,
        "final": {
            "eval_loss": final.loss,
            "eval_accuracy": final.accuracy,
            "eval_macro_f1": final.macro_f1,
        },
        "hyperparameters": {k: v for k, v in sorted(vars(hp).items()) if k != "stop_after_steps"},
        "bundles": {},
    }
    with tempfile.TemporaryDirectory(prefix=".export-", dir=paths.model_dir) as work:
        fp32_onnx = Path(work) / "model.onnx"
        export.export_onnx(merged, fp32_onnx)
        sess = export.onnx_session(fp32_onnx, hp.num_threads)
        ort_check = export.onnx_logits(sess, check_rows, hp.per_device_eval_batch_size, pad_id)
        pt_check = export.torch_logits(merged, check_rows, hp.per_device_eval_batch_size, pad_id)
        diff = float(np.abs(ort_check - pt_check).max())
        if diff > _CHECK_TOLERANCE:
            raise RuntimeError(
                f"exported ONNX logits differ from PyTorch's by {diff:.2e} "
                f"(> {_CHECK_TOLERANCE}); the export is wrong, not writing a bundle"
            )
        version = hp.model_version or bundle.sha256_file(fp32_onnx).split(":")[1][:16]
        common = {
            "model_version": version,
            "base_model": default_base_model(hp),
            "max_seq_length": hp.max_seq_length,
            # "" (with threshold 0): no out-of-scope class (SPEC.md section 3).
            "out_of_scope_label": hp.out_of_scope_label or "",
        }
        val_tokens = [len(r) for r in val_enc.input_ids]

        def drift_profile(logits: Any, chosen: threshold.ThresholdChoice) -> bytes:
            return bundle.json_bytes(
                profile.build(
                    "validation",
                    logits,
                    val_tokens,
                    labels,
                    hp.out_of_scope_label or "",
                    chosen.threshold,
                )
            )

        fp32_val = export.onnx_logits(
            sess, val_enc.input_ids, hp.per_device_eval_batch_size, pad_id
        )
        files: dict[str, Path | bytes] = {
            **export.external_weights(fp32_onnx, Path(work) / "fp32"),
            "tokenizer.json": tok_json,
            "labels.json": labels_json,
            profile.FILE: drift_profile(fp32_val, choice),
        }
        bundle.write_bundle(
            paths.model_dir / "bundle",
            files,
            {**common, "precision": "fp32", "confidence_threshold": choice.threshold},
        )
        bundle.write_tar(paths.model_dir / "bundle", paths.model_dir / "bundle.tar.gz")
        result["bundles"]["bundle"] = {
            "precision": "fp32",
            "onnx_vs_pytorch_max_abs_diff": diff,
            "onnx_bytes": fp32_onnx.stat().st_size,
            **_threshold_json(choice),
        }
        if hp.quantize_int8:
            int8_onnx = Path(work) / "model-int8.onnx"
            quantization = export.quantize_int8(
                fp32_onnx, int8_onnx, export.calibration_rows(train_enc.input_ids), pad_id
            )
            isess = export.onnx_session(int8_onnx, hp.num_threads)
            logits = export.onnx_logits(
                isess, val_enc.input_ids, hp.per_device_eval_batch_size, pad_id
            )
            probs = torch.softmax(torch.from_numpy(logits).double(), dim=1).numpy()
            known = val_enc.labels >= 0
            int8_acc = float(np.mean(logits.argmax(1)[known] == val_enc.labels[known]))
            ichoice = threshold.choose_threshold(
                probs, val_enc.labels, oos_id, hp.oos_max_in_scope_drop
            )
            files.update(export.external_weights(int8_onnx, Path(work) / "int8"))
            files[profile.FILE] = drift_profile(logits, ichoice)
            bundle.write_bundle(
                paths.model_dir / "bundle-int8",
                files,
                {
                    **common,
                    "precision": "int8",
                    "confidence_threshold": ichoice.threshold,
                    "quantization": quantization,
                },
            )
            bundle.write_tar(
                paths.model_dir / "bundle-int8", paths.model_dir / "bundle-int8.tar.gz"
            )
            result["bundles"]["bundle-int8"] = {
                "precision": "int8",
                "quantization": quantization,
                "eval_accuracy": int8_acc,
                "onnx_bytes": int8_onnx.stat().st_size,
                **_threshold_json(ichoice),
            }
    body = bundle.json_bytes(result)
    bundle.write_atomic(paths.model_dir / "metrics.json", body)
    try:
        bundle.write_atomic(paths.output_data_dir / "metrics.json", body)
    except OSError as e:  # the output channel is optional locally
        print(f"slm_train: warning: cannot write {paths.output_data_dir}: {e}", file=sys.stderr)
    return result


def _threshold_json(c: threshold.ThresholdChoice) -> dict[str, Any]:
    return {
        "confidence_threshold": c.threshold,
        "validation_in_scope_accuracy": c.in_scope_accuracy,
        "validation_out_of_scope_recall": c.out_of_scope_recall,
        "validation_in_scope_examples": c.in_scope_examples,
        "validation_out_of_scope_examples": c.out_of_scope_examples,
    }


def _save_merged(merged: SequenceClassifier, tok: Any, dest: Path) -> None:
    """The merged PyTorch model (for python -m slm_train.logits), written atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".merged-", dir=dest.parent))
    try:
        merged.save(tmp)
        tok.save_pretrained(tmp)
        tmp.chmod(0o755)
        for f in tmp.iterdir():
            f.chmod(0o644)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
