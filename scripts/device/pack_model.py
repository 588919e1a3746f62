"""Packs or unpacks a BERT model folder with int8 per-row weights, for the device check.

The device machine has no network and the carried files must fit 64 MiB in
all; the fp32 MiniLM (87 MiB) does not. Each 2-D weight is stored as int8 with
one float32 scale per row (symmetric, max-abs), every other tensor as float32:
about 23 MiB. QLoRA quantises the base to 4-bit NF4 on load, so the int8
transport error (well under NF4's) does not change what the check shows.

    python pack_model.py pack   SRC_MODEL_DIR DEST_DIR
    python pack_model.py unpack SRC_PACKED_DIR DEST_MODEL_DIR
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

_COPY = ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
         "special_tokens_map.json")  # fmt: skip


def pack(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    out: dict[str, torch.Tensor] = {}
    for name, t in load_file(str(src / "model.safetensors")).items():
        t = t.float()
        if t.ndim == 2:
            scale = t.abs().amax(dim=1).clamp(min=1e-12) / 127.0
            out[name + ".q8"] = (
                torch.round(t / scale[:, None]).to(torch.int8).contiguous()
            )
            out[name + ".scale"] = scale.contiguous()
        else:
            out[name] = t.contiguous()
    save_file(out, str(dest / "packed.safetensors"))
    for f in _COPY:
        if (src / f).is_file():
            shutil.copyfile(src / f, dest / f)


def unpack(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    packed = load_file(str(src / "packed.safetensors"))
    out: dict[str, torch.Tensor] = {}
    for name, t in packed.items():
        if name.endswith(".scale"):
            continue
        if name.endswith(".q8"):
            base = name[: -len(".q8")]
            out[base] = (t.float() * packed[base + ".scale"][:, None]).contiguous()
        else:
            out[name] = t
    save_file(out, str(dest / "model.safetensors"), metadata={"format": "pt"})
    for f in _COPY:
        if (src / f).is_file():
            shutil.copyfile(src / f, dest / f)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        sys.exit(__doc__)
    (pack if sys.argv[1] == "pack" else unpack)(Path(sys.argv[2]), Path(sys.argv[3]))
