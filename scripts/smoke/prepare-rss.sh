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
/usr/bin/time -v "$dir/slm-static" step prepare --config "$dir/prepare.json" --input "$dir/raw-$rows.jsonl" \
  --output "$dir/out" 2> "$dir/time.log"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$dir/time.log" | sed 's/^\s*/prepare-rss: /'
