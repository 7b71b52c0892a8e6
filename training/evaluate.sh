#!/usr/bin/env bash
# Held-out quality per budget with `metaembed eval` (exact MaxSim over the whole corpus), one index per model.
#
#   training/evaluate.sh <man pages BEIR folder> <held-out folder> <work folder> [model ...]
#
# The held-out folder is <train output>/heldout (queries.jsonl, qrels.tsv of the held-out split).
# Models are --model values: builtin:NAME or a model folder; the default is both built-in models.
# Prints one markdown row per model and budget: nDCG@10, Recall@100, MRR@10.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:?usage: training/evaluate.sh <data> <held-out folder> <work folder> [model ...]}"
HELDOUT="${2:?held-out folder missing}"
WORK="${3:?work folder missing}"
shift 3
MODELS=("$@")
[[ ${#MODELS[@]} -gt 0 ]] || MODELS=(builtin:metaembed-minilm builtin:pooled-minilm)
mkdir -p "$WORK"
for model in "${MODELS[@]}"; do
  name="$(basename "${model#builtin:}")"
  if [[ ! -d "$WORK/$name-index" ]]; then
    "$ROOT/metaembed" index --quiet --corpus "$DATA/corpus.jsonl" --index "$WORK/$name-index" --model "$model"
  fi
  "$ROOT/metaembed" eval --quiet --exact --json --index "$WORK/$name-index" \
    --queries "$HELDOUT/queries.jsonl" --qrels "$HELDOUT/qrels.tsv" > "$WORK/$name.jsonl"
  python3 - "$name" "$WORK/$name.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[2]):
    r = json.loads(line)
    if "budget_q" in r:
        print(f"| {sys.argv[1]} | ({r['budget_q']},{r['budget_d']}) | {r['ndcg_at_10']:.3f} | "
              f"{r['recall_at_100']:.3f} | {r['mrr_at_10']:.3f} | {r['queries']} |")
PY
done
