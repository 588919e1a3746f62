"""Building the base model with its LoRA adapter (and QLoRA's 4-bit loading)."""

from __future__ import annotations

import importlib.util
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModel, AutoTokenizer, PreTrainedTokenizerBase

from .classifier import SequenceClassifier
from .config import Hyperparameters

# The classification head (SequenceClassifier.classifier): trained in full, not through LoRA.
_HEAD_MODULES = ["classifier"]


class QLoRAUnavailable(RuntimeError):
    """QLoRA was asked for where it cannot run (no CUDA device or no bitsandbytes)."""


def check_qlora_available() -> None:
    """Raises QLoRAUnavailable unless 4-bit NF4 loading can work here."""
    if not torch.cuda.is_available():
        raise QLoRAUnavailable(
            "method=qlora needs a CUDA GPU (bitsandbytes 4-bit NF4 kernels): none is visible here. "
            "Use method=lora on CPU, or run on a GPU instance type."
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise QLoRAUnavailable(
            "method=qlora needs the bitsandbytes package: pip install bitsandbytes "
            "(add it to the training image or requirements.txt)"
        )


def load_tokenizer(hp: Hyperparameters) -> PreTrainedTokenizerBase:
    tok = AutoTokenizer.from_pretrained(hp.model_name_or_path, revision=hp.model_revision)
    if not tok.is_fast:
        raise ValueError(
            f"{hp.model_name_or_path}: needs a fast tokenizer (tokenizer.json) for the bundle"
        )
    return tok


def load_base(hp: Hyperparameters, labels: list[str], quantized: bool) -> SequenceClassifier:
    """The pretrained encoder with a fresh classification head for `labels`.

    The head's initialisation draws from torch's global generator, so callers
    seed it first for reproducible runs.
    """
    kwargs: dict[str, Any] = {"revision": hp.model_revision}
    if quantized:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
        kwargs["device_map"] = {"": 0}
    else:
        kwargs["dtype"] = torch.float32
    encoder = AutoModel.from_pretrained(hp.model_name_or_path, **kwargs)
    if quantized:
        from peft import prepare_model_for_kbit_training

        encoder = prepare_model_for_kbit_training(encoder, use_gradient_checkpointing=False)
    cfg = encoder.config
    dropout = getattr(cfg, "classifier_dropout", None)
    if dropout is None:
        dropout = getattr(cfg, "hidden_dropout_prob", None)
    model = SequenceClassifier(encoder, labels, hp.pooling, 0.1 if dropout is None else dropout)
    if quantized:
        model.classifier.to("cuda:0")  # the head stays fp32 beside the 4-bit encoder
    return model


def lora_config(hp: Hyperparameters) -> LoraConfig:
    return LoraConfig(
        r=hp.lora_r,
        lora_alpha=hp.lora_alpha,
        lora_dropout=hp.lora_dropout,
        target_modules=list(hp.lora_target_modules),
        modules_to_save=list(_HEAD_MODULES),
    )


def build_model(hp: Hyperparameters, labels: list[str]) -> torch.nn.Module:
    """The PEFT model to train: LoRA adapters on the target modules, the head fully trainable."""
    quantized = hp.method == "qlora"
    if quantized:
        check_qlora_available()
    base = load_base(hp, labels, quantized)
    try:
        model = get_peft_model(base, lora_config(hp))
    except ValueError as e:
        raise ValueError(
            f"lora_target_modules={','.join(hp.lora_target_modules)}: {e} "
            "(for BERT-like encoders try query,key,value,dense)"
        ) from e
    return model


def merged_fp32(
    hp: Hyperparameters, labels: list[str], trained: torch.nn.Module
) -> SequenceClassifier:
    """A plain fp32 model with the trained adapter merged in, ready for export.

    For QLoRA the adapter is re-applied to the base loaded in fp32, not merged
    into the 4-bit weights: the exported model must be a plain fp32 graph.
    """
    if hp.method == "lora":
        assert isinstance(trained, PeftModel)
        merged = trained.merge_and_unload()
    else:
        base = load_base(hp, labels, quantized=False)
        fresh = get_peft_model(base, lora_config(hp))
        state = {k: v.detach().float().cpu() for k, v in trainable_state(trained).items()}
        missing = set(state) - set(fresh.state_dict())
        if missing:
            raise RuntimeError(f"adapter keys not in the fp32 model: {sorted(missing)[:5]}")
        fresh.load_state_dict(state, strict=False)
        merged = fresh.merge_and_unload()
    if not isinstance(merged, SequenceClassifier):
        raise TypeError(f"merging gave {type(merged).__name__}, want SequenceClassifier")
    merged = merged.to("cpu", dtype=torch.float32)
    merged.eval()
    return merged


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The trained parameters only (LoRA matrices and the head): what a checkpoint needs."""
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    return {k: v for k, v in model.state_dict().items() if k in names}
