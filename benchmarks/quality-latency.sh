#!/usr/bin/env bash
# nDCG@10 against search latency per budget on a real retrieval set (docs/BENCHMARKS.md, section
# 7): one index per storage with the default model (`metaembed index --storage`, reused when the
# work folder already has it, as training/evaluate-storages.sh leaves it), then `metaembed eval`
# with the approximate query (graph candidates, the CLI's default of max(100, 10 k)) at the five
# budgets, for each storage and for int8 with the prune cascade (2x4, keeping 2 k), then a chart
# (`./metaembed bench quality-chart`).
#
#   benchmarks/quality-latency.sh <BEIR folder> <held-out folder> <work folder> [k]
#
# k: hits per query, default 10 (100 candidates, a top-10 search); Recall@100 is printed for k >= 100.
# The held-out folder holds queries.jsonl and qrels.tsv of the split never used for training or
# for choosing anything (train.py writes it as <out>/heldout). Writes <work>/<name>.eval.jsonl per
# series and <work>/quality-latency.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:?usage: benchmarks/quality-latency.sh <BEIR folder> <held-out folder> <work folder>}"
HELDOUT="${2:?held-out folder missing}"
WORK="${3:?work folder missing}"
K="${4:-10}"
mkdir -p "$WORK"
series=()
for storage in float32 int8 bit; do
  if [[ ! -d "$WORK/$storage-index" ]]; then
    "$ROOT/metaembed" index --quiet --corpus "$DATA/corpus.jsonl" --index "$WORK/$storage-index" --storage "$storage"
  fi
  "$ROOT/metaembed" eval --quiet --json -k "$K" --index "$WORK/$storage-index" \
    --queries "$HELDOUT/queries.jsonl" --qrels "$HELDOUT/qrels.tsv" > "$WORK/$storage.eval.jsonl"
  series+=("$storage=$WORK/$storage.eval.jsonl")
done
"$ROOT/metaembed" eval --quiet --json -k "$K" --index "$WORK/int8-index" --prune "2x4:$((2 * K))" \
  --queries "$HELDOUT/queries.jsonl" --qrels "$HELDOUT/qrels.tsv" > "$WORK/int8-prune.eval.jsonl"
series+=("int8, prune 2x4:$((2 * K))=$WORK/int8-prune.eval.jsonl")
"$ROOT/metaembed" bench quality-chart "$WORK/quality-latency.png" \
  "nDCG@10 against mean search latency, man pages held-out split, k = $K" "${series[@]}"
python3 - "$WORK" "$K" <<'PY'
import json, os, sys
work, k = sys.argv[1], int(sys.argv[2])
recall = k >= 100
print("| series | budget | nDCG@10 | MRR@10 |" + (" Recall@100 |" if recall else "") + " mean ms | p99 ms |")
print("|---|---|---:|---:|" + ("---:|" if recall else "") + "---:|---:|")
for name in ("float32", "int8", "bit", "int8-prune"):
    for line in open(os.path.join(work, name + ".eval.jsonl")):
        r = json.loads(line)
        if "budget_q" in r:
            print(f"| {name} | ({r['budget_q']},{r['budget_d']}) | {r['ndcg_at_10']:.4f} | {r['mrr_at_10']:.4f} | "
                  + (f"{r['recall_at_100']:.3f} | " if recall else "")
                  + f"{r['latency_ms_mean']:.2f} | {r['latency_ms_p99']:.2f} |")
PY
