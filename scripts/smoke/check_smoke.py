"""Assertions of the end-to-end smoke (scripts/smoke/train-smoke.sh).

    python scripts/smoke/check_smoke.py build/smoke
    python scripts/smoke/check_smoke.py --paths build/smoke/events.jsonl

Reads what the smoke wrote and fails (exit 1, every failed check listed) unless:
`slm run` ran every step in order, the gate passed with the values the
evaluation reports and the model was registered (approved, with the
evaluation as its metrics and the raw data's digest as its lineage); the
second run, with the bar above the measured accuracy, reused the cached
steps, failed at the gate with the Fail step's message and registered
nothing; the bundle's files match their manifest digests; the edge runtime's logits
(from `slm step evaluate --predictions`) equal PyTorch's (`python -m
slm_train.logits`) on every test text within 1e-3, with the same top class;
`slm-edge classify` agrees with evaluate on the texts it classified;
evaluation.json has every gate metric, counts every test example and agrees
with the predictions; the same evaluation from model.tar.gz and from the model
directory agree; and accuracy is clearly above chance.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

LOGIT_TOLERANCE = 1e-3
SCORE_TOLERANCE = 1e-4
# Chance is 1/11 on the 11-label slice; one short epoch reaches 0.95 with mean
# pooling (0.75 when the head read BERT's untrained [CLS] pooler: this bound
# catches a regression of that size).
MIN_ACCURACY = 0.85
GATE_PATHS = {
    "accuracy": "multiclass_classification_metrics.accuracy.value",
    "macro_f1": "multiclass_classification_metrics.macro_f1.value",
    "weighted_f1": "multiclass_classification_metrics.weighted_f1.value",
    "weighted_precision": "multiclass_classification_metrics.weighted_precision.value",
    "weighted_recall": "multiclass_classification_metrics.weighted_recall.value",
    "min_per_class_f1": "multiclass_classification_metrics.min_per_class_f1.value",
    "in_scope_accuracy": "multiclass_classification_metrics.in_scope_accuracy.value",
    "out_of_scope_recall": "multiclass_classification_metrics.out_of_scope_recall.value",
    "out_of_scope_precision": "multiclass_classification_metrics.out_of_scope_precision.value",
    "latency_p50_ms": "latency_metrics.p50_ms.value",
    "latency_p95_ms": "latency_metrics.p95_ms.value",
}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def get(doc: Any, path: str) -> Any:
    for key in path.split("."):
        doc = doc[key]
    return doc


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def check(self, ok: bool, what: str) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
            print(f"FAIL: {what}", file=sys.stderr)


def check_bundle(c: Checks, bundle: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        (bundle / "manifest.json").read_text(encoding="utf-8")
    )
    files = manifest["files"]
    present = sorted(p.name for p in bundle.iterdir() if p.name != "manifest.json")
    c.check(
        present == sorted(files),
        f"bundle files {present} == manifest files {sorted(files)}",
    )
    for name, digest in sorted(files.items()):
        got = "sha256:" + hashlib.sha256((bundle / name).read_bytes()).hexdigest()
        c.check(got == digest, f"{name} digest {got} == manifest {digest}")
    c.check(
        len(manifest["model_version"]) == 16, "model_version is the ONNX digest prefix"
    )
    return manifest


def check_logits(
    c: Checks, preds: list[dict[str, Any]], torch_out: dict[str, Any]
) -> float:
    texts = [p["text"] for p in preds]
    c.check(torch_out["texts"] == texts, "PyTorch and the runtime saw the same texts")
    worst = 0.0
    for p, row in zip(preds, torch_out["logits"], strict=True):
        ort_row = p["logits"]
        c.check(len(ort_row) == len(row), f"{p['text']!r}: logit counts agree")
        diff = max(abs(a - b) for a, b in zip(ort_row, row, strict=True))
        worst = max(worst, diff)
        c.check(
            diff <= LOGIT_TOLERANCE,
            f"{p['text']!r}: max |runtime - PyTorch| logit {diff:.2e} <= {LOGIT_TOLERANCE}",
        )
        c.check(
            ort_row.index(max(ort_row)) == row.index(max(row)),
            f"{p['text']!r}: runtime and PyTorch agree on the top class",
        )
    return worst


def check_evaluation(
    c: Checks,
    ev: dict[str, Any],
    preds: list[dict[str, Any]],
    test_rows: int,
    model_version: str,
) -> None:
    for metric, path in GATE_PATHS.items():
        try:
            value = get(ev, path)
        except (KeyError, TypeError):
            c.check(False, f"gate metric {metric} at {path}")
            continue
        c.check(isinstance(value, int | float), f"gate metric {metric} is a number")
    c.check(
        ev["examples"] == test_rows == len(preds),
        f"examples {ev['examples']} == {test_rows}",
    )
    right = sum(p["label"] == p["predicted"] for p in preds)
    acc = get(ev, GATE_PATHS["accuracy"])
    c.check(
        abs(acc - right / len(preds)) < 1e-12, "accuracy agrees with predictions.jsonl"
    )
    c.check(
        acc >= MIN_ACCURACY, f"accuracy {acc:.4f} >= {MIN_ACCURACY} (chance is 1/11)"
    )
    in_scope = [p for p in preds if p["label"] != "oos"]
    in_right = sum(p["label"] == p["predicted"] for p in in_scope)
    c.check(
        abs(get(ev, GATE_PATHS["in_scope_accuracy"]) - in_right / len(in_scope))
        < 1e-12,
        "in_scope_accuracy agrees with predictions.jsonl",
    )
    matrix = ev["multiclass_classification_metrics"]["confusion_matrix"]
    total = sum(sum(row.values()) for row in matrix.values())
    c.check(total == len(preds), f"confusion matrix counts {total} examples")
    c.check(
        ev["model_version"] == model_version,
        f"evaluation names the bundle's model version {model_version}",
    )


def read_events(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path)


def step_outputs(events: list[dict[str, Any]], step: str) -> dict[str, str]:
    for e in events:
        if e["event"] in ("step_succeeded", "step_cached") and e.get("step") == step:
            outputs: dict[str, str] = e.get("outputs", {})
            return outputs
    raise KeyError(f"no outputs of step {step}")


def run_paths(events_file: Path) -> list[str]:
    """The test split, model archive, evaluation and registered package of a run."""
    events = read_events(events_file)
    prepared = step_outputs(events, "Prepare-intents")
    test = next(p for uri, p in prepared.items() if uri.endswith("/test"))
    (model,) = step_outputs(events, "FineTune-intent").values()
    (evaluation,) = step_outputs(events, "Evaluate-intent").values()
    (package,) = [e["registered"] for e in events if e["event"] == "registered"]
    return [test, model, evaluation, package]


def check_runs(c: Checks, out: Path, ev: dict[str, Any]) -> None:
    events = read_events(out / "events.jsonl")
    started = [e["step"] for e in events if e["event"] == "step_started"]
    c.check(
        started
        == [
            "Prepare-intents",
            "FineTune-intent",
            "Evaluate-intent",
            "Gate-quality",
            "Register-intent",
        ],
        f"slm run started the steps in dependency order: {started}",
    )
    done = {e["step"] for e in events if e["event"] == "step_succeeded"}
    c.check(set(started) <= done, "every started step succeeded")
    (gate,) = [e for e in events if e["event"] == "condition_evaluated"]
    c.check(gate["outcome"] is True, "the quality gate passed")
    measured = {cond["what"]: cond["left"] for cond in gate["conditions"]}
    c.check(
        measured.get("accuracy") == get(ev, GATE_PATHS["accuracy"]),
        f"the gate read the evaluation's accuracy: {measured}",
    )
    c.check(events[-1]["event"] == "execution_succeeded", "the execution succeeded")
    first_id = events[0]["execution_id"]

    pkg = json.loads((out / "package.json").read_text(encoding="utf-8"))
    c.check(
        pkg["ModelApprovalStatus"] == "Approved", "the model was registered Approved"
    )
    c.check(pkg["ModelPackageVersion"] == 1, "it is the group's first version")
    c.check(
        pkg["Metrics"] == ev, "the registered metrics are the pipeline's evaluation"
    )
    c.check(Path(pkg["ModelDataPath"]).is_file(), "the registered model archive exists")
    c.check(
        pkg["Lineage"]["ExecutionId"] == first_id, "the lineage names the execution"
    )
    raw = hashlib.sha256(
        Path("testdata/clinc150/intent10.jsonl").read_bytes()
    ).hexdigest()
    c.check(
        pkg["CustomerMetadataProperties"]["slm:dataset-sha256"] == raw,
        "the registered dataset digest is the raw data's SHA-256",
    )

    gate_events = read_events(out / "events-gate.jsonl")
    cached = {
        e["step"]: e["cached_from"] for e in gate_events if e["event"] == "step_cached"
    }
    c.check(
        cached
        == {
            "Prepare-intents": first_id,
            "FineTune-intent": first_id,
            "Evaluate-intent": first_id,
        },
        f"the second run reused the first run's steps from the cache: {cached}",
    )
    (verdict,) = [e for e in gate_events if e["event"] == "condition_evaluated"]
    c.check(verdict["outcome"] is False, "the raised bar fails the gate")
    final = gate_events[-1]
    c.check(final["event"] == "execution_failed", "the second execution failed")
    acc = get(ev, GATE_PATHS["accuracy"])
    msg = final.get("message", "")
    c.check(
        msg.startswith(
            "The intent model is below the quality bar; it was not registered. "
            f"Measured: accuracy={acc} (min "
        ),
        f"the failure is the Fail step's message with the measured value: {msg!r}",
    )
    c.check(
        not any(e["event"] == "registered" for e in gate_events),
        "the failing run registered nothing",
    )
    versions = sorted(
        p.name
        for p in (out / "run" / "registry" / pkg["ModelPackageGroupName"]).iterdir()
    )
    c.check(versions == ["1.json"], f"the registry holds one version: {versions}")


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "--paths":
        print("\n".join(run_paths(Path(argv[2]))))
        return 0
    if len(argv) != 2:
        print(f"usage: {argv[0]} SMOKE_DIR", file=sys.stderr)
        return 2
    out = Path(argv[1])
    c = Checks()
    manifest = check_bundle(c, out / "bundle")
    preds = read_jsonl(out / "predictions.jsonl")
    torch_out = json.loads((out / "pytorch-logits.json").read_text(encoding="utf-8"))
    labels = json.loads((out / "bundle" / "labels.json").read_text(encoding="utf-8"))
    c.check(
        torch_out["labels"] == labels, "PyTorch and the bundle list the same labels"
    )
    worst = check_logits(c, preds, torch_out)

    by_text = {p["text"]: p for p in preds}
    for line in read_jsonl(out / "classify.jsonl"):
        p = by_text[line["text"]]
        c.check(
            line["label"] == p["predicted"],
            f"slm-edge classify {line['text']!r}: same label",
        )
        for key in ("confidence", "best_in_scope"):
            got, want = line[key], p[key]
            if key == "best_in_scope":
                c.check(
                    got["label"] == want["label"],
                    f"{line['text']!r}: same best in-scope label",
                )
                got, want = got["score"], want["score"]
            c.check(
                (got is None and want is None)
                or (
                    got is not None
                    and want is not None
                    and abs(got - want) <= SCORE_TOLERANCE
                ),
                f"slm-edge classify {line['text']!r}: {key} {got} ~ {want}",
            )
        c.check(
            abs(line["threshold"] - manifest["confidence_threshold"]) < 1e-6,
            f"slm-edge classify {line['text']!r}: threshold {line['threshold']}",
        )
        c.check(
            line["model_version"] == manifest["model_version"], "slm-edge model version"
        )

    test_rows = len(read_jsonl(out / "data" / "test" / "data.jsonl"))
    ev = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    check_evaluation(c, ev, preds, test_rows, manifest["model_version"])
    ev_tar = json.loads(
        (out / "eval-tar" / "evaluation.json").read_text(encoding="utf-8")
    )
    same = (
        ev_tar["multiclass_classification_metrics"]
        == ev["multiclass_classification_metrics"]
    )
    c.check(same, "model.tar.gz and the model directory give the same metrics")
    check_runs(c, out, ev_tar)

    if c.failed:
        print(
            f"smoke: {len(c.failed)} of {len(c.failed) + c.passed} checks FAILED",
            file=sys.stderr,
        )
        return 1
    acc = get(ev, GATE_PATHS["accuracy"])
    f1 = get(ev, GATE_PATHS["macro_f1"])
    p95 = get(ev, GATE_PATHS["latency_p95_ms"])
    print(
        f"smoke: {c.passed} checks passed; {test_rows} test examples, accuracy {acc:.4f}, "
        f"macro_f1 {f1:.4f}, p95 {p95:.2f} ms, max |runtime - PyTorch| logit {worst:.2e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
