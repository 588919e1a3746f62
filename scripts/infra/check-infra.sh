#!/usr/bin/env bash
# Runs the real infrastructure checkers over the example's generated Terraform, for every environment, and
# over infra/ (the hand-written account bootstrap):
# tflint v0.64.0 with tflint-ruleset-aws v0.48.0, and `trivy config` v0.74.0 failing on any HIGH or
# CRITICAL finding. Everything runs offline; the tools are built (once, cached) by build-tools.sh.
# Negative controls first prove each tool rejects known-bad input, so a silently disabled check fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tools=${SLM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/slm/tools}
GO=${GO:-go}
scripts/infra/build-tools.sh

# Neither tool may reach the network or a user's configuration.
mkdir -p "$tools/home" "$tools/trivy-cache"
: >"$tools/terraformrc"
export TF_CLI_CONFIG_FILE=$tools/terraformrc
export TFLINT_PLUGIN_DIR=$tools/plugins
export HOME=$tools/home

tflint() {
  "$tools/bin/tflint" --chdir="$1" --config="$root/scripts/infra/tflint.hcl" --format=compact --no-color
}
trivy() {
  "$tools/bin/trivy" config --quiet --skip-check-update --cache-dir "$tools/trivy-cache" \
    --severity HIGH,CRITICAL --exit-code 1 "$1"
}

bad=$(tflint testdata/terraform/bad/tflint 2>&1 || true)
if ! grep -q aws_cloudwatch_metric_alarm_invalid_statistic <<<"$bad"; then
  echo "check-infra: tflint did not flag the invalid alarm statistic in testdata/terraform/bad/tflint; is the AWS ruleset loaded?" >&2
  echo "$bad" >&2
  exit 1
fi
bad=$(trivy testdata/terraform/bad/trivy 2>&1 || true)
if ! grep -q "HIGH" <<<"$bad"; then
  echo "check-infra: trivy reported nothing HIGH in testdata/terraform/bad/trivy; are its checks loaded?" >&2
  echo "$bad" >&2
  exit 1
fi

for env in dev staging prod; do
  out=build/infra/$env
  "$GO" run ./scripts/infra/render-example -env "$env" -out "$out"
  echo "check-infra: $env: tflint"
  tflint "$out/terraform"
  echo "check-infra: $env: trivy config (HIGH, CRITICAL)"
  trivy "$out/terraform"
done
echo "check-infra: infra/ (account bootstrap): tflint"
tflint "$root/infra"
echo "check-infra: infra/ (account bootstrap): trivy config (HIGH, CRITICAL)"
trivy "$root/infra"
echo "check-infra: ok"
