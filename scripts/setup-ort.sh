#!/usr/bin/env bash
# Fetches the ONNX Runtime shared library for linux/amd64 and linux/arm64 from
# the npm package onnxruntime-node (the only registry that ships it here).
# Idempotent: does nothing when both libraries are already in place.
set -euo pipefail
version="${ORT_NPM_VERSION:-1.30.0}"
dest="${1:-build/ort}"
if [[ -f "$dest/linux-amd64/libonnxruntime.so.1" && -f "$dest/linux-arm64/libonnxruntime.so.1" ]]; then
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "onnxruntime-node@${version}" >/dev/null)
tar -xzf "$tmp"/onnxruntime-node-*.tgz -C "$tmp" \
  package/bin/napi-v6/linux/x64/libonnxruntime.so.1 \
  package/bin/napi-v6/linux/arm64/libonnxruntime.so.1 \
  package/package.json
mkdir -p "$dest/linux-amd64" "$dest/linux-arm64"
install -m 0644 "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$dest/linux-amd64/libonnxruntime.so.1"
install -m 0644 "$tmp/package/bin/napi-v6/linux/arm64/libonnxruntime.so.1" "$dest/linux-arm64/libonnxruntime.so.1"
install -m 0644 "$tmp/package/package.json" "$dest/onnxruntime-node.package.json"  # MIT, per its license field
echo "onnxruntime ${version} -> $dest"
