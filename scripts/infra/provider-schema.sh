#!/usr/bin/env bash
# Regenerates testdata/terraform/aws-provider-schema.json (the AWS provider 6.52.0 schema subset for the
# types in testdata/terraform/resource-types.txt) from the schema tflint-ruleset-aws v0.48.0 carries.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mod=github.com/terraform-linters/tflint-ruleset-aws@v0.48.0
dir=$(cd /tmp && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cd "$root"
go run ./scripts/infra/provider-schema -in "$dir/tools/provider-schema/schema.json" \
  -types testdata/terraform/resource-types.txt -out testdata/terraform/aws-provider-schema.json
install -m 0644 "$dir/LICENSE" testdata/terraform/LICENSE.aws-provider-schema
