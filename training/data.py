"""The man pages set (BEIR format), its split by query, and training batches with hard in-batch negatives."""
import json
import os
import random

import numpy as np


class Beir:
    """corpus.jsonl, queries.jsonl and qrels.tsv of a BEIR folder (relevant pairs only)."""

    def __init__(self, folder):
        self.corpus = {}
        for line in open(os.path.join(folder, "corpus.jsonl"), encoding="utf-8"):
            d = json.loads(line)
            title = d.get("title") or ""
            # the same text the metaembed CLI encodes
            self.corpus[d.get("_id", d.get("id"))] = (title + ". " + d["text"]) if title else d["text"]
        self.queries = {}
        for line in open(os.path.join(folder, "queries.jsonl"), encoding="utf-8"):
            q = json.loads(line)
            self.queries[q.get("_id", q.get("id"))] = q["text"]
        self.qrels = {}
        with open(os.path.join(folder, "qrels.tsv"), encoding="utf-8") as f:
            next(f)
            for line in f:
                q, d, score = line.rstrip("\n").split("\t")
                if int(score) > 0 and d in self.corpus and q in self.queries:
                    self.qrels.setdefault(q, set()).add(d)

    def add_pairs(self, path):
        """Extra (query, doc) pairs from a pairs.jsonl file, as queries x<n> with documents x<n>.

        Returns their ids by source (wordnet, foldoc, python3-doc, info, man: see extra/README.md).
        """
        by_source = {}
        for n, line in enumerate(open(path, encoding="utf-8")):
            pair = json.loads(line)
            key = f"x{n}"
            self.queries[key], self.corpus[key], self.qrels[key] = pair["query"], pair["doc"], {key}
            by_source.setdefault(pair["source"], []).append(key)
        return by_source

    def split(self, seed, train_share=0.8):
        """Query ids with a relevant document, shuffled with `seed`, cut into (train, test)."""
        ids = sorted(self.qrels)
        random.Random(seed).shuffle(ids)
        cut = int(train_share * len(ids))
        return ids[:cut], ids[cut:]

    def write_split(self, folder, query_ids):
        """A BEIR folder for `metaembed eval`: these queries and their qrels (the corpus stays whole)."""
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "queries.jsonl"), "w", encoding="utf-8") as f:
            for q in query_ids:
                f.write(json.dumps({"id": q, "text": self.queries[q]}) + "\n")
        with open(os.path.join(folder, "qrels.tsv"), "w", encoding="utf-8") as f:
            f.write("query-id\tcorpus-id\tscore\n")
            for q in query_ids:
                for d in sorted(self.qrels[q]):
                    f.write(f"{q}\t{d}\t1\n")


class Batches:
    """Batches of (query, relevant document) pairs, no document twice in a batch.

    With `group` > 1 a batch is made of groups: a random query and the `group - 1` training queries
    whose relevant documents are nearest to its own (by `doc_vectors`), so every batch holds hard
    negatives (similar man pages) without encoding extra documents.
    """

    def __init__(self, data, query_ids, rng, group=1, doc_vectors=None, neighbours=16, extra=None, extra_share=0.0,
                 negatives=None):
        self.data, self.query_ids, self.rng, self.group = data, query_ids, rng, group
        self.negatives = negatives or {}
        self.extra = {source: extra[source] for source in sorted(extra or {})}
        self.extra_share = extra_share if self.extra else 0.0
        self.positive = {q: sorted(data.qrels[q]) for q in query_ids}
        self.near = {}
        if group > 1:
            first = [self.positive[q][0] for q in query_ids]
            v = np.stack([doc_vectors[d] for d in first])
            sims = v @ v.T
            np.fill_diagonal(sims, -np.inf)
            order = np.argsort(-sims, axis=1)[:, :neighbours]
            self.near = {q: [query_ids[j] for j in order[i]] for i, q in enumerate(query_ids)}

    def next(self, size):
        """(query ids, document ids) of one batch.

        With extra pairs, their share of the batch comes first: each a random pair of a random source,
        so that every source weighs the same whatever its size.
        """
        queries = []
        while len(queries) < round(self.extra_share * size):
            pair = self.rng.choice(self.extra[self.rng.choice(list(self.extra))])
            if pair not in queries:
                queries.append(pair)
        docs = list(queries)  # an extra pair's document has its query's id
        while len(queries) < size:
            seed = self.rng.choice(self.query_ids)
            group = [seed] + (self.rng.sample(self.near[seed], self.group - 1) if self.group > 1 else [])
            for q in group:
                d = self.rng.choice(self.positive[q])
                if len(queries) < size and q not in queries and d not in docs:
                    queries.append(q)
                    docs.append(d)
        return queries, docs + self.mined(queries, docs)

    def mined(self, queries, docs):
        """One mined negative per query that has some (see `mine_negatives`), none already in the batch."""
        extra = []
        for q in queries:
            pool = [d for d in self.negatives.get(q, ()) if d not in docs and d not in extra]
            if pool:
                extra.append(self.rng.choice(pool))
        return extra


def mine_negatives(query_vectors, doc_vectors, qrels, first=3, last=30):
    """Per query, the documents ranked `first`..`last` (1-based) by cosine that are not relevant to it.

    The top ranks are skipped: near-identical pages there (other versions of the same tool) are
    often unlabelled relevant pages rather than negatives.
    """
    doc_ids = sorted(doc_vectors)
    d = np.stack([doc_vectors[x] for x in doc_ids])
    out = {}
    for q, v in query_vectors.items():
        ranked = [doc_ids[j] for j in np.argsort(-(d @ v))[: last + len(qrels[q])] if doc_ids[j] not in qrels[q]]
        out[q] = ranked[first - 1: last]
    return out
