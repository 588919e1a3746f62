"""Hyperparameters and paths of the training step (SPEC.md section 2.2).

SageMaker passes every hyperparameter as ``--name value`` (all strings) and the
paths through SM_* environment variables; locally the same flags are given by
hand, plus one flag per path. Parsing is strict so that a misspelt
hyperparameter fails the job at once instead of silently training with a
default.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Mapping, Sequence
from pathlib import Path


class ConfigError(ValueError):
    """A hyperparameter or path that cannot be used; the message says how to fix it."""


@dataclasses.dataclass(frozen=True)
class Hyperparameters:
    """The training step's hyperparameters, typed and validated."""

    model_name_or_path: str
    model_revision: str | None = None
    method: str = "lora"
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    lora_target_modules: tuple[str, ...] = ("query", "value")
    pooling: str = "mean"
    epochs: float = 3.0
    learning_rate: float = 5e-4
    per_device_train_batch_size: int = 32
    per_device_eval_batch_size: int = 128
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_seq_length: int = 64
    seed: int = 42
    # None: the data has no out-of-scope class (the hyperparameter given empty).
    out_of_scope_label: str | None = "oos"
    quantize_int8: bool = False
    # Extensions beyond SPEC.md 2.2 (all optional, documented in README.md).
    base_model: str | None = None
    model_version: str | None = None
    oos_max_in_scope_drop: float = 0.01
    save_steps: int = 200
    logging_steps: int = 50
    stop_after_steps: int | None = None
    num_threads: int | None = None


@dataclasses.dataclass(frozen=True)
class Paths:
    """Where the step reads its channels and writes its outputs."""

    train: Path
    validation: Path
    model_dir: Path
    checkpoint_dir: Path
    output_data_dir: Path


@dataclasses.dataclass(frozen=True)
class Config:
    hp: Hyperparameters
    paths: Paths


_METHODS = ("lora", "qlora")
# How the classification head reads the encoder (slm_train.classifier.pool).
POOLINGS = ("mean", "cls")


def _parse_bool(name: str, raw: str) -> bool:
    low = raw.strip().lower()
    if low in ("true", "1", "yes"):
        return True
    if low in ("false", "0", "no"):
        return False
    raise ConfigError(f"hyperparameter {name}={raw!r}: want true or false")


def _parse_int(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"hyperparameter {name}={raw!r}: want an integer") from None
    if value < minimum:
        raise ConfigError(f"hyperparameter {name}={value}: want at least {minimum}")
    return value


def _parse_float(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"hyperparameter {name}={raw!r}: want a number") from None
    if not math.isfinite(value) or value < low or value > high:
        raise ConfigError(f"hyperparameter {name}={raw!r}: want a number in [{low}, {high}]")
    return value


def _parse_modules(name: str, raw: str) -> tuple[str, ...]:
    mods = tuple(m.strip() for m in raw.split(",") if m.strip())
    if not mods:
        raise ConfigError(
            f"hyperparameter {name}={raw!r}: want comma-separated module names, e.g. query,value"
        )
    return mods


# name -> converter of the raw string; the order is the help text's order.
_HP_PARSERS = {
    "model_name_or_path": lambda n, r: r,
    "model_revision": lambda n, r: r or None,
    "method": lambda n, r: r.strip().lower(),
    "lora_r": lambda n, r: _parse_int(n, r, 1),
    "lora_alpha": lambda n, r: _parse_int(n, r, 1),
    "lora_dropout": lambda n, r: _parse_float(n, r, 0.0, 0.99),
    "lora_target_modules": _parse_modules,
    "pooling": lambda n, r: r.strip().lower(),
    "epochs": lambda n, r: _parse_float(n, r, 1e-6, 1e6),
    "learning_rate": lambda n, r: _parse_float(n, r, 1e-12, 10.0),
    "per_device_train_batch_size": lambda n, r: _parse_int(n, r, 1),
    "per_device_eval_batch_size": lambda n, r: _parse_int(n, r, 1),
    "warmup_ratio": lambda n, r: _parse_float(n, r, 0.0, 1.0),
    "weight_decay": lambda n, r: _parse_float(n, r, 0.0, 10.0),
    "max_seq_length": lambda n, r: _parse_int(n, r, 4),
    "seed": lambda n, r: _parse_int(n, r, 0),
    "out_of_scope_label": lambda n, r: r.strip() or None,
    "quantize_int8": _parse_bool,
    "base_model": lambda n, r: r or None,
    "model_version": lambda n, r: r or None,
    "oos_max_in_scope_drop": lambda n, r: _parse_float(n, r, 0.0, 1.0),
    "save_steps": lambda n, r: _parse_int(n, r, 1),
    "logging_steps": lambda n, r: _parse_int(n, r, 1),
    "stop_after_steps": lambda n, r: _parse_int(n, r, 1),
    "num_threads": lambda n, r: _parse_int(n, r, 1),
}

# path flag -> (environment variable, SageMaker default)
_PATHS = {
    "train": ("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"),
    "validation": ("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"),
    "model_dir": ("SM_MODEL_DIR", "/opt/ml/model"),
    "checkpoint_dir": ("SLM_CHECKPOINT_DIR", "/opt/ml/checkpoints"),
    "output_data_dir": ("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{message} (see python -m slm_train --help)")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="slm_train",
        description="Fine-tune a sequence classifier with LoRA/QLoRA and write a model bundle.",
    )
    for name in _HP_PARSERS:
        p.add_argument(f"--{name}", dest=name, default=None, metavar="VALUE")
    for name, (env, default) in _PATHS.items():
        flags = [f"--{name}"]
        if "_" in name:
            flags.append(f"--{name.replace('_', '-')}")
        p.add_argument(
            *flags, dest=f"path_{name}", default=None, help=f"default ${env} or {default}"
        )
    return p


def parse(argv: Sequence[str], env: Mapping[str, str]) -> Config:
    """Parses the command line (and the SM_* environment) into a Config."""
    # SageMaker's toolkit may forward its own sagemaker_* hyperparameters: drop them.
    args: list[str] = []
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a.startswith("--sagemaker_"):
            skip = "=" not in a and i + 1 < len(argv)
            continue
        args.append(a)
    ns = _build_parser().parse_args(args)
    raw = vars(ns)
    defaults = Hyperparameters(model_name_or_path="")
    values: dict[str, object] = {}
    for name, conv in _HP_PARSERS.items():
        r = raw.get(name)
        values[name] = getattr(defaults, name) if r is None else conv(name, r)
    hp = Hyperparameters(**values)  # type: ignore[arg-type]
    if not hp.model_name_or_path:
        raise ConfigError(
            "hyperparameter model_name_or_path is required: a local model folder or a hub id"
        )
    if hp.method not in _METHODS:
        raise ConfigError(f"hyperparameter method={hp.method!r}: want one of {', '.join(_METHODS)}")
    if hp.pooling not in POOLINGS:
        raise ConfigError(
            f"hyperparameter pooling={hp.pooling!r}: want one of {', '.join(POOLINGS)} "
            "(mean: the average of the token states, as sentence encoders are trained; "
            "cls: the first token's state)"
        )
    paths = {}
    for name, (envname, default) in _PATHS.items():
        r = raw.get(f"path_{name}")
        paths[name] = Path(r if r else env.get(envname, default))
    return Config(hp=hp, paths=Paths(**paths))
