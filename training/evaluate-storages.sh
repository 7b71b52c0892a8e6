#!/usr/bin/env bash
# Held-out quality per storage encoding for one model: one index per storage (`metaembed index
# --storage`), then `metaembed eval --exact` (every document scored) at the five budgets.
#
#   training/evaluate-storages.sh <man pages BEIR folder> <held-out folder> <work folder> [model]
#
# The held-out folder holds queries.jsonl and qrels.tsv of the held-out split (train.py writes it
# as <out>/heldout). The model defaults to builtin:metaembed-minilm. Prints one markdown row per
# storage and budget: nDCG@10, the difference to float32, Recall@100, bytes per document.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:?usage: training/evaluate-storages.sh <data> <held-out folder> <work folder> [model]}"
HELDOUT="${2:?held-out folder missing}"
WORK="${3:?work folder missing}"
MODEL="${4:-builtin:metaembed-minilm}"
mkdir -p "$WORK"
for storage in float32 bfloat16 int8 bit; do
  if [[ ! -f "$WORK/$storage.jsonl" ]]; then
    "$ROOT/metaembed" index --quiet --corpus "$DATA/corpus.jsonl" --index "$WORK/$storage-index" \
      --model "$MODEL" --storage "$storage"
    "$ROOT/metaembed" eval --quiet --exact --json --index "$WORK/$storage-index" \
      --queries "$HELDOUT/queries.jsonl" --qrels "$HELDOUT/qrels.tsv" > "$WORK/$storage.jsonl"
  fi
done
python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
rows = {}
for storage in ("float32", "bfloat16", "int8", "bit"):
    rows[storage] = [json.loads(l) for l in open(os.path.join(work, storage + ".jsonl")) if '"budget_q"' in l]
print("| storage | budget | nDCG@10 | vs float32 | Recall@100 | queries |")
print("|---|---|---|---|---|---|")
for storage, results in rows.items():
    for r, base in zip(results, rows["float32"]):
        print(f"| {storage} | ({r['budget_q']},{r['budget_d']}) | {r['ndcg_at_10']:.4f} | "
              f"{r['ndcg_at_10'] - base['ndcg_at_10']:+.4f} | {r['recall_at_100']:.3f} | {r['queries']} |")
PY
