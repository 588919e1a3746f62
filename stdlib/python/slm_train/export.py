"""ONNX export of the merged model, its check against PyTorch, and int8 quantisation."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from .bundle import INPUTS, OUTPUT

OPSET = 17


class _LogitsOnly(torch.nn.Module):
    """Positional inputs in the bundle's order, the logits tensor as the only output."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
    ) -> torch.Tensor:
        out = self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        )
        logits: torch.Tensor = out.logits
        return logits


def export_onnx(model: torch.nn.Module, dest: Path) -> None:
    """Writes model.onnx with dynamic batch and sequence axes.

    Uses the TorchScript-based exporter (dynamo=False): with torch 2.15 the
    dynamo exporter produced BERT graphs whose logits differ from PyTorch's by
    ~0.02 in ONNX Runtime, while this one agrees to ~1e-7.
    """
    wrapper = _LogitsOnly(model).eval()
    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    axes[OUTPUT] = {0: "batch"}
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".model.", suffix=".onnx", dir=dest.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (sample, sample, torch.zeros_like(sample)),
                tmp,
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
                do_constant_folding=True,
            )
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Static int8 quantisation (SPEC.md section 3, manifest "quantization"): every
# activation scale is fixed at export time from calibration batches of
# training data, so a text's logits do not depend on what it is batched with
# (dynamic quantisation computes activation scales over the whole batch,
# padding included, which changed 0.75% of labels between batch 1 and 128).
# MatMul: the weight matrices; Gather: the embedding tables (most of MiniLM's
# bytes). Only MatMuls with a constant (weight) operand are quantised, as
# dynamic quantisation does; attention's activation x activation products stay
# fp32.
QUANT_OP_TYPES = ["MatMul", "Gather"]
MATMUL_CONST_B_ONLY = True
PER_CHANNEL = True
CALIBRATION_EXAMPLES = 512
CALIBRATION_BATCH = 16


def _padded_batch(rows: list[list[int]], pad_id: int) -> dict[str, npt.NDArray[np.int64]]:
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def calibration_rows(rows: list[list[int]], limit: int = CALIBRATION_EXAMPLES) -> list[list[int]]:
    """An evenly spaced, deterministic sample of at most `limit` token id rows."""
    if len(rows) <= limit:
        return list(rows)
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def quantize_int8(
    src: Path, dest: Path, calibration: list[list[int]], pad_id: int
) -> dict[str, Any]:
    """ONNX Runtime static quantisation in QDQ format, calibrated on `calibration`
    (token id rows of training data, run in padded batches, min/max ranges).

    Weights are int8 per output channel, activations uint8 with scales fixed
    here (min/max over the calibration batches). Returns the manifest's "quantization" record.
    """
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    if not calibration:
        raise ValueError("static int8 quantisation needs calibration examples; got none")

    class _Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.batches = iter(
                _padded_batch(calibration[i : i + CALIBRATION_BATCH], pad_id)
                for i in range(0, len(calibration), CALIBRATION_BATCH)
            )

        def get_next(self) -> dict[str, npt.NDArray[np.int64]] | None:
            return next(self.batches, None)

    fd, tmp = tempfile.mkstemp(prefix=".model-int8.", suffix=".onnx", dir=dest.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            quantize_static(
                str(src),
                tmp,
                _Reader(),
                quant_format=QuantFormat.QDQ,
                op_types_to_quantize=QUANT_OP_TYPES,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax,
                calibration_providers=["CPUExecutionProvider"],
                extra_options={"MatMulConstBOnly": MATMUL_CONST_B_ONLY},
            )
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return quantization_record(len(calibration))


def quantization_record(calibration_examples: int) -> dict[str, Any]:
    """How a bundle's int8 model was quantised (manifest "quantization")."""
    return {
        "method": "static",
        "format": "qdq",
        "op_types": QUANT_OP_TYPES,
        "weights": "int8, per channel" if PER_CHANNEL else "int8, per tensor",
        "activations": "uint8, scales fixed at export",
        "calibration": {
            "split": "train",
            "examples": calibration_examples,
            "batch_size": CALIBRATION_BATCH,
            "method": "minmax",
        },
    }


def quantize_int8_dynamic(src: Path, dest: Path) -> None:
    """ONNX Runtime dynamic quantisation (activation scales computed per batch at
    run time): kept only to measure static quantisation against it."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(prefix=".model-int8.", suffix=".onnx", dir=dest.parent)
    os.close(fd)
    try:
        quantize_dynamic(src, tmp, weight_type=QuantType.QInt8, per_channel=False)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The weights go in model.data beside model.onnx (ONNX external data). ONNX Runtime
# maps that file rather than parsing the weights out of the protobuf and copying
# them, which halves the edge runtime's peak memory for the fp32 MiniLM (183 MB
# -> 96 MB resident, measured with slm-edge serve).
WEIGHTS_FILE = "model.data"


def external_weights(src: Path, dest_dir: Path) -> dict[str, Path]:
    """Writes src's graph to dest_dir/model.onnx and its weights to dest_dir/model.data;
    returns both as bundle files."""
    import onnx

    dest_dir.mkdir(parents=True, exist_ok=True)
    model = onnx.load(str(src))
    onnx.save_model(
        model,
        str(dest_dir / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=WEIGHTS_FILE,
        size_threshold=1024,
    )
    return {"model.onnx": dest_dir / "model.onnx", WEIGHTS_FILE: dest_dir / WEIGHTS_FILE}


def onnx_session(path: Path, threads: int | None = None) -> object:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def onnx_logits(
    session: object, rows: list[list[int]], batch_size: int, pad_id: int
) -> npt.NDArray[np.float32]:
    """Runs token id rows through an ONNX Runtime session, padding each batch to its longest row."""
    outs = []
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        width = max(len(r) for r in chunk)
        ids = np.full((len(chunk), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for i, r in enumerate(chunk):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        outs.append(session.run([OUTPUT], feed)[0])  # type: ignore[attr-defined]
    return np.concatenate(outs).astype(np.float32)


def torch_logits(
    model: torch.nn.Module, rows: list[list[int]], batch_size: int, pad_id: int
) -> npt.NDArray[np.float32]:
    """The same batches through the PyTorch model, for comparison with ONNX Runtime."""
    model.eval()
    outs = []
    with torch.no_grad():
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            width = max(len(r) for r in chunk)
            ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for i, r in enumerate(chunk):
                ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
                mask[i, : len(r)] = 1
            out = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
            outs.append(out.logits.float().numpy())
    return np.concatenate(outs).astype(np.float32)
