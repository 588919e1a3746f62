"""The benchmark peer: what a team would otherwise deploy at the edge, a small Python service
(FastAPI on uvicorn, onnxruntime, tokenizers) serving the same model bundle with the same answer
rule and the same API as slm-edge (POST /v1/classify with "text" or "texts", GET /readyz).

Kept honest: the session is created once per worker with the same intra-op threads as slm-edge
(inter-op 1, graph optimisation all); a "texts" request runs as one padded batch (the batch
endpoint); the handler is a plain `def`, so uvicorn runs requests in its thread pool and
onnxruntime (which releases the GIL) can overlap them; tokenizers' Rust encode_batch does the
tokenising. Run with one or more workers (uvicorn's process model).

Run: .venv/bin/python scripts/edge/peer_server.py --bundle DIR --port 8282 --threads 1 --workers 1
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import tokenizers
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

BUNDLE_ENV = "SLM_PEER_BUNDLE"
THREADS_ENV = "SLM_PEER_THREADS"


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = None
    texts: list[str] | None = None


class Model:
    def __init__(self, bundle: Path, threads: int) -> None:
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
        self.version = manifest["model_version"]
        self.labels: list[str] = json.loads(
            (bundle / "labels.json").read_text(encoding="utf-8")
        )
        self.oos = manifest["out_of_scope_label"]
        self.threshold = float(manifest["confidence_threshold"])
        self.oos_id = self.labels.index(self.oos) if self.oos in self.labels else -1
        self.tok = tokenizers.Tokenizer.from_file(str(bundle / "tokenizer.json"))
        self.tok.enable_truncation(max_length=int(manifest["max_seq_length"]))
        self.tok.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(bundle / "model.onnx"),
            sess_options=opts,
            providers=["CPUExecutionProvider"],
        )
        self.classify(["warm up"])

    def classify(self, texts: list[str]) -> list[dict[str, Any]]:
        encs = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        feed = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids),
        }
        logits = self.session.run(["logits"], feed)[0].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        out = []
        for row in probs:
            order = np.argsort(-row, kind="stable")
            top = int(order[0])
            best = next(int(i) for i in order if int(i) != self.oos_id)
            oos = top == self.oos_id or row[best] < self.threshold
            out.append(
                {
                    "label": self.oos if oos else self.labels[top],
                    "confidence": float(row[self.oos_id if oos else top])
                    if not oos or self.oos_id >= 0
                    else None,
                    "out_of_scope": bool(oos),
                    "best_in_scope": {
                        "label": self.labels[best],
                        "score": float(row[best]),
                    },
                    "threshold": self.threshold,
                    "top_k": [
                        {"label": self.labels[int(i)], "score": float(row[int(i)])}
                        for i in order[:5]
                    ],
                }
            )
        return out


def create_app() -> FastAPI:
    model = Model(Path(os.environ[BUNDLE_ENV]), int(os.environ.get(THREADS_ENV, "1")))
    app = FastAPI()

    @app.post("/v1/classify")
    def classify(req: Request) -> JSONResponse:
        if (req.text is None) == (req.texts is None):
            return JSONResponse({"error": 'give "text" or "texts"'}, status_code=400)
        texts = [req.text] if req.text is not None else req.texts or []
        if not texts or any(not t.strip() for t in texts):
            return JSONResponse({"error": "empty text"}, status_code=400)
        return JSONResponse(
            {"model_version": model.version, "results": model.classify(texts)}
        )

    @app.get("/readyz")
    def readyz() -> dict[str, str]:
        return {"status": "ready", "model_version": model.version}

    return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8282)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    os.environ[BUNDLE_ENV] = str(Path(args.bundle).resolve())
    os.environ[THREADS_ENV] = str(args.threads)
    uvicorn.run(
        "peer_server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
        app_dir=str(Path(__file__).parent),
    )


if __name__ == "__main__":
    main()
