#!/usr/bin/env bash
# Installs wrk, the load generator of the edge runtime's side-by-side benchmark
# (runtime/bench BenchmarkVersusPython): a C event loop, so it takes little of the
# cores the servers share with it. Idempotent; CI runs as root, elsewhere sudo.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
command -v wrk >/dev/null
echo "load generator ready: $(command -v wrk)"
