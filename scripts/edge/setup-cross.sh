#!/usr/bin/env bash
# Installs the C cross compiler the linux/arm64 build of slm-edge needs (cgo:
# onnxruntime_go is a cgo package). Idempotent; CI runs as root, elsewhere sudo.
set -euo pipefail
cc="${1:-aarch64-linux-gnu-gcc}"
if command -v "$cc" >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
command -v "$cc" >/dev/null
echo "cross compiler ready: $cc"
