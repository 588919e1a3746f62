from __future__ import annotations

from pathlib import Path

import pytest

from slm_train.config import ConfigError, Hyperparameters, parse

BASE = ["--model_name_or_path", "m"]


@pytest.mark.parametrize(
    ("flags", "field", "want"),
    [
        (["--lora_r", "8"], "lora_r", 8),
        (["--lora_alpha", "16"], "lora_alpha", 16),
        (["--lora_dropout", "0.05"], "lora_dropout", 0.05),
        (
            ["--lora_target_modules", "query, key,value"],
            "lora_target_modules",
            ("query", "key", "value"),
        ),
        (["--epochs", "2.5"], "epochs", 2.5),
        (["--learning_rate", "2e-4"], "learning_rate", 2e-4),
        (["--per_device_train_batch_size", "16"], "per_device_train_batch_size", 16),
        (["--per_device_eval_batch_size", "64"], "per_device_eval_batch_size", 64),
        (["--warmup_ratio", "0.1"], "warmup_ratio", 0.1),
        (["--weight_decay", "0"], "weight_decay", 0.0),
        (["--max_seq_length", "48"], "max_seq_length", 48),
        (["--seed", "3"], "seed", 3),
        (["--out_of_scope_label", "none"], "out_of_scope_label", "none"),
        (["--quantize_int8", "true"], "quantize_int8", True),
        (["--quantize_int8", "False"], "quantize_int8", False),
        (["--method", "QLoRA"], "method", "qlora"),
        ([], "pooling", "mean"),
        (["--pooling", "CLS"], "pooling", "cls"),
        (["--model_revision", "abc123"], "model_revision", "abc123"),
        (["--model_revision", ""], "model_revision", None),
        ([], "lora_target_modules", ("query", "value")),
        ([], "quantize_int8", False),
        (["--sagemaker_program", "train.py", "--lora_r", "2"], "lora_r", 2),
        (["--sagemaker_region=us-east-1", "--lora_r", "3"], "lora_r", 3),
    ],
)
def test_hyperparameters(flags: list[str], field: str, want: object) -> None:
    cfg = parse(BASE + flags, {})
    assert getattr(cfg.hp, field) == want


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--lora_r", "eight"], "lora_r='eight': want an integer"),
        (["--lora_r", "0"], "lora_r=0: want at least 1"),
        (["--learning_rate", "nan"], "learning_rate='nan'"),
        (["--lora_dropout", "1.5"], "lora_dropout='1.5'"),
        (["--quantize_int8", "maybe"], "want true or false"),
        (["--method", "full"], "method='full': want one of lora, qlora"),
        (["--pooling", "max"], "pooling='max': want one of mean, cls"),
        (["--lora_target_modules", " , "], "want comma-separated module names"),
        (["--lora_rank", "8"], "unrecognized arguments: --lora_rank"),
    ],
)
def test_bad_hyperparameters(flags: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as e:
        parse(BASE + flags, {})
    assert message in str(e.value)


def test_model_required() -> None:
    with pytest.raises(ConfigError, match="model_name_or_path is required"):
        parse([], {})


def test_paths_from_environment_and_flags() -> None:
    env = {
        "SM_CHANNEL_TRAIN": "/data/tr",
        "SM_CHANNEL_VALIDATION": "/data/va",
        "SM_MODEL_DIR": "/m",
        "SM_OUTPUT_DATA_DIR": "/o",
    }
    cfg = parse(BASE, env)
    assert cfg.paths.train == Path("/data/tr")
    assert cfg.paths.validation == Path("/data/va")
    assert cfg.paths.model_dir == Path("/m")
    assert cfg.paths.output_data_dir == Path("/o")
    assert cfg.paths.checkpoint_dir == Path("/opt/ml/checkpoints")
    cfg = parse([*BASE, "--model-dir", "/x", "--checkpoint_dir", "/c", "--train", "/t"], env)
    assert (cfg.paths.model_dir, cfg.paths.checkpoint_dir) == (Path("/x"), Path("/c"))
    assert cfg.paths.train == Path("/t")
    cfg = parse(BASE, {})
    assert cfg.paths.train == Path("/opt/ml/input/data/train")
    assert cfg.paths.model_dir == Path("/opt/ml/model")


def test_defaults_match_dataclass() -> None:
    assert parse(BASE, {}).hp == Hyperparameters(model_name_or_path="m")


def test_empty_out_of_scope_label_means_none() -> None:
    """The compiler passes "" when the data has no out-of-scope class."""
    cfg = parse(["--model_name_or_path", "m", "--out_of_scope_label", ""], {})
    assert cfg.hp.out_of_scope_label is None
