#!/usr/bin/env bash
# Builds the infrastructure checkers (tflint, its AWS ruleset, trivy) and actionlint (the GitHub Actions
# workflow checker the scaffold's workflows are tested with) from the Go module proxy into
# ~/.cache/slm/tools/bin (shared by every clone on the machine). Idempotent: a tool whose binary and version stamp are present is not rebuilt.
#
# Why not `go install mod@ver`: the proxy refuses some of these modules' version lists and go install
# rejects modules whose go.mod has replace directives, so each module is downloaded with
# `go mod download -json`, copied out of the read-only module cache and built inside its own module.
#
# Usage: scripts/infra/build-tools.sh [tool...]   (tools: tflint tflint-ruleset-aws trivy actionlint; default all)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# Outside the checkout, so every clone on a machine (CI clones afresh) reuses one build.
tools=${SLM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/slm/tools}
GO=${GO:-go}
mkdir -p "$tools/bin" "$tools/src" "$tools/plugins"

# module version package [extra env...]
declare -A MODULE=(
  [tflint]=github.com/terraform-linters/tflint
  [tflint-ruleset-aws]=github.com/terraform-linters/tflint-ruleset-aws
  [trivy]=github.com/aquasecurity/trivy
  [actionlint]=github.com/rhysd/actionlint
)
declare -A VERSION=([tflint]=v0.64.0 [tflint-ruleset-aws]=v0.48.0 [trivy]=v0.74.0 [actionlint]=v1.7.12)
declare -A PKG=([tflint]=. [tflint-ruleset-aws]=. [trivy]=./cmd/trivy [actionlint]=./cmd/actionlint)
# trivy uses encoding/json/v2, still behind an experiment in this Go release.
declare -A GOEXP=([tflint]= [tflint-ruleset-aws]= [trivy]=jsonv2 [actionlint]=)

build() {
  local name=$1 mod=${MODULE[$1]} ver=${VERSION[$1]} pkg=${PKG[$1]}
  local bin=$tools/bin/$name stamp=$tools/bin/$name.version
  if [[ -x $bin && -f $stamp && $(cat "$stamp") == "$mod@$ver" ]]; then
    echo "build-tools: $name $ver already built"
    return
  fi
  local start=$SECONDS
  echo "build-tools: downloading $mod@$ver"
  local dir
  # Outside any module, so the project's go.mod is neither read nor changed.
  dir=$(cd "$tools" && GOWORK=off GOFLAGS=-mod=mod "$GO" mod download -json "$mod@$ver" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [[ -z $dir || ! -d $dir ]]; then
    echo "build-tools: $mod@$ver: no module directory from go mod download" >&2
    exit 1
  fi
  local src=$tools/src/$name-$ver
  rm -rf "$src" "$src.tmp"
  cp -r "$dir" "$src.tmp"
  chmod -R u+w "$src.tmp"
  mv "$src.tmp" "$src"
  echo "build-tools: building $name $ver"
  (cd "$src" && GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" GOEXPERIMENT=${GOEXP[$name]} CGO_ENABLED=0 \
    "$GO" build -trimpath -ldflags=-s -o "$bin.tmp" "$pkg")
  mv "$bin.tmp" "$bin"
  echo "$mod@$ver" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp"
  rm -rf "$src"
  echo "build-tools: $name $ver built in $((SECONDS - start))s"
}

if [[ $# -eq 0 ]]; then set -- tflint tflint-ruleset-aws trivy actionlint; fi
for t in "$@"; do
  [[ -n ${MODULE[$t]:-} ]] || { echo "build-tools: unknown tool $t (want tflint, tflint-ruleset-aws, trivy, actionlint)" >&2; exit 2; }
  build "$t"
done

# tflint finds plugins by file name in plugin_dir; the ruleset must be called tflint-ruleset-<name>.
if [[ -x $tools/bin/tflint-ruleset-aws ]]; then
  cp "$tools/bin/tflint-ruleset-aws" "$tools/plugins/tflint-ruleset-aws.tmp"
  mv "$tools/plugins/tflint-ruleset-aws.tmp" "$tools/plugins/tflint-ruleset-aws"
fi
