#!/usr/bin/env bash
# Peak memory of `slm step prepare` on a generated million-row file, measured
# on the statically linked binary the Processing job runs (part of make bench).
# Rows: 150 labels, every 50th row repeating an earlier text, as in
# BenchmarkPrepareMillionRows.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=build/prepare-rss
rows=${ROWS:-1000000}
mkdir -p "$dir"
CGO_ENABLED=0 go build -trimpath -o "$dir/slm-static" ./cmd/slm
if [[ ! -s $dir/raw-$rows.jsonl ]]; then
  awk -v n="$rows" 'BEGIN {
    for (i = 0; i < n; i++) {
      id = (i % 50 == 49) ? i - 25 : i
      printf "{\"text\": \"Please  tell me about item %d in the  category %d, thanks\", \"intent\": \"intent_%03d\"}\n", id, id % 997, id % 150
    }
  }' > "$dir/raw-$rows.jsonl.tmp"
  mv "$dir/raw-$rows.jsonl.tmp" "$dir/raw-$rows.jsonl"
fi
cat > "$dir/prepare.json" <<'JSON'
{"dataset": {"name": "synthetic", "format": "jsonl", "text_field": "text", "label_field": "intent",
  "expectations": {"max_duplicate_ratio": 0.05, "text_length": {"min": 1, "max": 512}}},
 "cleaning": {"unicode_nfc": true, "collapse_whitespace": true, "lowercase": true, "deduplicate": true},
 "split": {"train": 0.8, "validation": 0.1, "test": 0.1, "stratify": true, "seed": 42}}
JSON
# Peak RSS of the child from getrusage (no dependency on GNU time).
python3 - "$dir" "$rows" <<'PY'
import resource
import subprocess
import sys
import time

d, rows = sys.argv[1], sys.argv[2]
start = time.monotonic()
cmd = [f"{d}/slm-static", "step", "prepare", "--config", f"{d}/prepare.json",
       "--input", f"{d}/raw-{rows}.jsonl", "--output", f"{d}/out"]
subprocess.run(cmd, check=True)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak_mib = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime
print(f"prepare-rss: {rows} rows: peak RSS {peak_mib:.0f} MiB, CPU {cpu:.1f} s, wall {wall:.1f} s")
PY
