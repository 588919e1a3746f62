#!/usr/bin/env bash
# Installs the C cross compiler the linux/arm64 build of slm-edge needs (cgo:
# onnxruntime_go is a cgo package), and qemu-user with the aarch64 C library so
# the tests run that build under user-mode emulation (cmd/slm-edge's
# TestArm64UnderEmulation). Idempotent; CI runs as root, elsewhere sudo.
set -euo pipefail
cc="${1:-aarch64-linux-gnu-gcc}"
if command -v "$cc" >/dev/null 2>&1 && command -v qemu-aarch64 >/dev/null 2>&1 &&
  [[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]]; then
  exit 0
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libc6-arm64-cross qemu-user >/dev/null
command -v "$cc" >/dev/null
command -v qemu-aarch64 >/dev/null
echo "cross compiler and emulator ready: $cc, qemu-aarch64"
