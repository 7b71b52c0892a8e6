#!/usr/bin/python3
"""Extra (query, document) training pairs from Debian documentation packages.

Sources (the "source" field; one module each in pairs/, Debian packages in packages.txt): wordnet,
foldoc, python3-doc, info, man. Every pair that belongs to an excluded query (--exclude-queries,
with the relevant pages from the set's qrels) is kept out: see pairs/exclusion.py. The output is
checked again against the exclusion rule before it is written. README.md has the details.

Usage:
  /usr/bin/python3 build_pairs.py --manpages ../shared/data/manpages \
      --exclude-queries samples/manpages/heldout-query-ids.txt [--exclude-queries dev-ids.txt] \
      --out DIR [--max-per-source 20000] [--seed 13] [--sources wordnet,foldoc,...]

Writes DIR/pairs.jsonl ({"source", "query", "doc", "name"} per line) and DIR/report.json.
Standard library only (plus groff for the man pages); deterministic (sorted inputs, seeded
sampling). Progress goes to stderr.
"""
import argparse
import json
import os
import subprocess
import time

from pairs.common import SOURCES, die, log
from pairs.exclusion import Exclusion, load_manpages, read_query_ids
from pairs.pipeline import build_source, source_readers

CHECK_PASSED = "passed: no output pair has an excluded name, an excluded query text or a corpus document"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manpages", required=True, help="the man pages set (corpus.jsonl, queries.jsonl, qrels.tsv)")
    ap.add_argument("--exclude-queries", action="append", default=[], required=True,
                    help="file of query ids to keep out (one per line); repeatable")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-per-source", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--sources", default=",".join(SOURCES), help="comma-separated subset of " + ",".join(SOURCES))
    return ap.parse_args()


def selected_sources(arg):
    sources = [s for s in arg.split(",") if s]
    for s in sources:
        if s not in SOURCES:
            die("unknown source %r (known: %s)" % (s, ", ".join(SOURCES)))
    return sources


def build_exclusion(files, queries, qrels, corpus):
    """(the Exclusion of the query ids in `files`, number of distinct ids)"""
    qids, unknown = read_query_ids(files, queries)
    if unknown:
        log("warning: %d excluded query ids are not in queries.jsonl (ignored)" % unknown)
    excl = Exclusion(sorted(set(qids)), queries, qrels, corpus)
    log("excluding %d queries, %d relevant pages, %d names"
        % (len(set(qids)), len(excl.pages), len(excl.names)))
    return excl, len(set(qids))


def check_groff(sources):
    """the man source needs groff (each source's own files are checked when it is read)"""
    if "man" in sources and subprocess.run(["sh", "-c", "command -v groff"],
                                           stdout=subprocess.DEVNULL).returncode != 0:
        die("groff is missing: install the Debian package 'groff-base'")


def write_output(out_dir, items, report):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps({"source": it.source, "query": it.query, "doc": it.doc, "name": it.name},
                               ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")


def main():
    args = parse_args()
    t_start = time.time()
    sources = selected_sources(args.sources)
    corpus, queries, qrels = load_manpages(args.manpages)
    excl, n_queries = build_exclusion(args.exclude_queries, queries, qrels, corpus)
    check_groff(sources)
    report = {"excluded_query_files": args.exclude_queries, "excluded_queries": n_queries,
              "excluded_relevant_pages": len(excl.pages), "excluded_names": len(excl.names),
              "max_per_source": args.max_per_source, "seed": args.seed, "sources": {}}
    readers = source_readers(corpus)
    out_pairs = []
    for src in sources:
        report["sources"][src], final = build_source(src, readers[src], excl, args.max_per_source, args.seed)
        out_pairs += final
    excl.check_output(out_pairs)      # nothing in the output may match an exclusion rule
    report["check"] = CHECK_PASSED
    report["pairs_total"] = len(out_pairs)
    report["seconds_total"] = round(time.time() - t_start, 1)
    write_output(args.out, out_pairs, report)
    log("wrote %d pairs to %s (%.0f s)" % (len(out_pairs), os.path.join(args.out, "pairs.jsonl"),
                                          time.time() - t_start))


if __name__ == "__main__":
    main()
