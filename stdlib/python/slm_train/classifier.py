"""The sequence classifier we fine-tune: an encoder, a pooling of its token states, a linear head.

Why not AutoModelForSequenceClassification: for BERT it classifies BERT's
[CLS] "pooler" output (a dense + tanh over the first token). Sentence encoders
such as all-MiniLM-L6-v2 were trained with mean pooling and never trained that
pooler: on CLINC150 a linear probe over the frozen model's mean-pooled states
reaches 94.9% in-scope test accuracy, over its pooler output 88.0%, and LoRA
fine-tuning through the pooler plateaued near 92-93%. So the pooling is a
hyperparameter ("mean", the default, or "cls": the first token's state), and
the head sits on the encoder's last hidden states, which every encoder family
has.

A merged model is saved as the encoder's own Hugging Face folder plus
`classifier.safetensors` and `classifier.json` (pooling and labels), so any
tool that reads the encoder still can.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel, PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput

from .config import POOLINGS

HEAD_WEIGHTS = "classifier.safetensors"
HEAD_CONFIG = "classifier.json"


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """One vector per row: the mean of the unmasked token states, or the first token's."""
    if pooling == "cls":
        return hidden[:, 0]
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class SequenceClassifier(torch.nn.Module):
    """encoder -> pool -> dropout -> linear; forward returns loss (given labels) and logits."""

    def __init__(
        self, encoder: PreTrainedModel, labels: list[str], pooling: str, dropout: float
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling={pooling!r}: want one of {', '.join(POOLINGS)}")
        # The encoder's own pooler (BERT's dense + tanh over [CLS]) is unused:
        # dropping it keeps it out of LoRA's targets and of the exported graph.
        if getattr(encoder, "pooler", None) is not None:
            setattr(encoder, "pooler", None)  # noqa: B010 (typed as Module, None is what BERT checks)
        self.encoder = encoder
        self.labels = list(labels)
        self.pooling = pooling
        self.dropout = torch.nn.Dropout(dropout)
        hidden = int(encoder.config.hidden_size)
        self.classifier = torch.nn.Linear(hidden, len(labels))
        # The initialisation Hugging Face heads use; draws from torch's global generator.
        std = float(getattr(encoder.config, "initializer_range", 0.02))
        torch.nn.init.normal_(self.classifier.weight, mean=0.0, std=std)
        torch.nn.init.zeros_(self.classifier.bias)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ) -> SequenceClassifierOutput:
        kwargs: dict[str, torch.Tensor] = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
        }
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**kwargs).last_hidden_state
        pooled = pool(hidden, attention_mask, self.pooling)
        logits = self.classifier(self.dropout(pooled.to(self.classifier.weight.dtype)))
        loss = None
        if labels is not None:
            loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def save(self, dest: Path) -> None:
        """The encoder's Hugging Face folder plus the head's weights and settings."""
        self.encoder.save_pretrained(dest, safe_serialization=True)
        state = {k: v.detach().contiguous().cpu() for k, v in self.classifier.state_dict().items()}
        save_file(state, str(dest / HEAD_WEIGHTS))
        head = {"labels": self.labels, "pooling": self.pooling}
        (dest / HEAD_CONFIG).write_text(json.dumps(head, indent=2, sort_keys=True) + "\n")


def load(src: Path) -> SequenceClassifier:
    """A saved (merged) classifier, in fp32, in eval mode."""
    head = json.loads((src / HEAD_CONFIG).read_text(encoding="utf-8"))
    encoder = AutoModel.from_pretrained(src, dtype=torch.float32)
    model = SequenceClassifier(encoder, head["labels"], head["pooling"], dropout=0.0)
    model.classifier.load_state_dict(load_file(str(src / HEAD_WEIGHTS)))
    model.eval()
    return model
