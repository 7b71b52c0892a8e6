#!/usr/bin/env python3
"""Writes samples/manpages: a fixed random subset of the man pages retrieval set (BEIR format).

    python3 samples/make_manpages_sample.py SOURCE_DIR samples/manpages [DOCS] [SEED]

Keeps DOCS documents drawn at random (default 1000, seed 42) and every query whose relevant
documents are all kept, with their qrels. Python standard library only.
"""
import json
import os
import random
import sys


def main():
    source, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    with open(os.path.join(source, "corpus.jsonl"), encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f]
    kept = random.Random(seed).sample(corpus, count)
    kept_ids = {doc["id"] for doc in kept}
    relevant = {}
    with open(os.path.join(source, "qrels.tsv"), encoding="utf-8") as f:
        header = f.readline()
        for line in f:
            query, doc, score = line.rstrip("\n").split("\t")
            relevant.setdefault(query, []).append((doc, score))
    queries = {q for q, docs in relevant.items() if all(d in kept_ids for d, _ in docs)}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for doc in sorted(kept, key=lambda d: d["id"]):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with open(os.path.join(source, "queries.jsonl"), encoding="utf-8") as f, \
            open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as w:
        for line in f:
            if json.loads(line)["id"] in queries:
                w.write(line)
    with open(os.path.join(out, "qrels.tsv"), "w", encoding="utf-8") as w:
        w.write(header)
        for query in sorted(queries):
            for doc, score in relevant[query]:
                w.write(f"{query}\t{doc}\t{score}\n")
    print(f"{len(kept)} documents, {len(queries)} queries -> {out}")


if __name__ == "__main__":
    main()
