"""Markdown tables of the scale runs (benchmarks/scale.sh): per corpus size, indexing, size on disk,
peak heap after GC (from the run's GC log), and p50/p99/recall per budget, with the prune cascade.

    python3 benchmarks/scale_table.py <work folder> run-10000.json run-30000.json ...
"""
import json
import os
import re
import sys


def peak_heap_mb(gc_log):
    """Largest heap in use before any collection ("...: 1200M->300M(2048M)"), in MB."""
    peak = 0
    for line in open(gc_log):
        m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
        if m:
            peak = max(peak, int(m.group(1)))
    return peak


def cell(row):
    return "-" if row is None else "%.2f / %.2f, %.3f" % (row["p50Ms"], row["p99Ms"], row["recall"])


def main(work, reports):
    runs = [json.load(open(r)) for r in reports]
    print("| documents | indexing docs/s (with forceMerge) | forceMerge s | index GB | .mvd GB | peak heap MB (of 2,048) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        docs = int(run["options"]["docs"])
        ix = run["indexing"][0]
        gc = os.path.join(work, "gc-%s-%d.log" % (run["options"]["storages"], docs))
        print("| {:,} | {:,.0f} ({:,.0f}) | {:.1f} | {:.2f} | {:.2f} | {} |".format(
            docs, ix["docsPerSec"], ix["docsPerSecInclMerge"], ix["forceMergeSeconds"],
            ix["sizeBytes"] / 1e9, ix["mvdBytes"] / 1e9, peak_heap_mb(gc) if os.path.exists(gc) else "-"))
    print()
    budgets = ["1x1", "2x4", "4x8", "8x16", "16x64"]
    print("| documents | queries | " + " | ".join("(%s) p50 / p99 ms, recall" % b.replace("x", ",") for b in budgets)
          + " | (16,64) prune 2x4→80 | Lucene RescoreTopN (16,64) p50 / p99 ms, recall |")
    print("|---:|---:|" + "---|" * (len(budgets) + 2))
    for run in runs:
        docs = int(run["options"]["docs"])
        cells = []
        qs = run["queries"]
        for b in budgets + ["16x64 prune"]:
            budget, pruned = b.split(" ")[0], b.endswith("prune")
            row = next((q for q in qs if q["budget"] == budget and q["method"].startswith("LateInteractionQuery")
                        and ("prune" in q["method"]) == pruned), None)
            cells.append(cell(row))
        cells.append(cell(next((q for q in qs if q["index"] == "lucene" and q["budget"] == "16x64"), None)))
        print("| {:,} | {} | {} |".format(docs, run["options"]["queries"], " | ".join(cells)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
