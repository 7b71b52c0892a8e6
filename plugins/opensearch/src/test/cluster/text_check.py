"""Helper of text-scenario.sh: the man pages sample as _bulk bodies of text, query bodies with
query_text, and the comparison of OpenSearch hits with `metaembed search --json` lines."""
import json
import sys

REL_TOL = 1e-5  # both sides run the same encoder and exact MaxSim over float32 vectors
K = 10


def cmd_queries(samples, count):
    """Prints the sample's first COUNT held-out queries (ids of the full set held out from
    training the default model) as 'id<TAB>text' lines."""
    texts = {}
    with open(samples + "/queries.jsonl") as f:
        for line in f:
            q = json.loads(line)
            texts[q.get("_id", q.get("id"))] = q["text"]
    with open(samples + "/heldout-query-ids.txt") as f:
        ids = [i for i in (line.strip() for line in f) if i in texts][: int(count)]
    for qid in ids:
        print("%s\t%s" % (qid, texts[qid]))


def cmd_bulk(samples, index, prefix, per_request):
    """Writes the corpus as _bulk bodies <prefix>-N.ndjson of PER_REQUEST documents (title and
    text only: the pipeline adds the vectors); prints the document count and the file count."""
    docs = []
    with open(samples + "/corpus.jsonl") as f:
        for line in f:
            d = json.loads(line)
            docs.append((d.get("_id", d.get("id")), d.get("title", ""), d["text"]))
    n = int(per_request)
    files = 0
    for start in range(0, len(docs), n):
        files += 1
        with open("%s-%d.ndjson" % (prefix, files), "w") as out:
            for doc_id, title, text in docs[start:start + n]:
                out.write(json.dumps({"index": {"_index": index, "_id": doc_id}}) + "\n")
                out.write(json.dumps({"title": title, "text": text}) + "\n")
    print(len(docs), files)


def cmd_query(path, text, query_budget, document_budget, mode="exact"):
    """A query_text search body; MODE 'exact' (every document scored) or 'graph'."""
    body = {"size": K, "query": {"late_interaction": {
        "field": "page", "query_text": text, "k": K, "exact": mode == "exact",
        "budget": {"query": int(query_budget), "document": int(document_budget)}}}}
    with open(path, "w") as f:
        json.dump(body, f)


def cmd_vector_query(path, vectors_path, line, query_budget, document_budget, mode="exact"):
    """The same search with query_vectors: those of `metaembed encode --queries` line LINE."""
    with open(vectors_path) as f:
        vectors = [json.loads(l)["vectors"] for l in f if l.strip()][int(line) - 1]
    body = {"size": K, "query": {"late_interaction": {
        "field": "page", "query_vectors": vectors, "k": K, "exact": mode == "exact",
        "budget": {"query": int(query_budget), "document": int(document_budget)}}}}
    with open(path, "w") as f:
        json.dump(body, f)


def cmd_same_hits(a_path, b_path):
    """Two search responses with the same hits (see compare_hits): shard copies may differ in
    segments, so a score may differ in its last bits."""
    print(compare_hits(search_hits(a_path), search_hits(b_path), a_path, b_path))


def cmd_median_took(*paths):
    took = sorted(json.load(open(p))["took"] for p in paths)
    print(took[len(took) // 2])


def close(a, b):
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-12)


def compare_hits(got, want, got_name, want_name):
    """The same ids in the same order with scores within REL_TOL; two hits may swap (or trade the
    last place) only when their scores are that close. Exits with the differences; returns a
    one-line summary."""
    errors = []
    if len(got) != len(want):
        errors.append("%d hits from %s, %d from %s" % (len(got), got_name, len(want), want_name))
    for rank, ((gid, gscore), (wid, wscore)) in enumerate(zip(got, want), 1):
        if not close(gscore, wscore):
            errors.append("rank %d: score %.7f (%s) vs %.7f (%s)" % (rank, gscore, gid, wscore, wid))
        elif gid != wid and gid not in dict(want) and not close(gscore, want[-1][1]):
            # equal scores rank by rank make a swap a tie; a foreign id may only trade the last place
            errors.append("rank %d: %s is not among the hits of %s" % (rank, gid, want_name))
    for e in errors:
        print("ERROR: " + e, file=sys.stderr)
    if errors or not got:
        print("%s: %s" % (got_name, got), file=sys.stderr)
        print("%s: %s" % (want_name, want), file=sys.stderr)
        sys.exit(1)
    return "%d hits, top %s %.5f, max score difference %.2e" % (
        len(got), got[0][0], got[0][1], max(abs(g[1] - w[1]) for g, w in zip(got, want)))


def search_hits(path):
    return [(h["_id"], float(h["_score"])) for h in json.load(open(path))["hits"]["hits"]]


def cmd_compare(opensearch_path, cli_path):
    """OpenSearch's hits must be those of `metaembed search --json` (see compare_hits)."""
    want = [(j["id"], float(j["score"])) for j in map(json.loads, open(cli_path)) if j]
    print(compare_hits(search_hits(opensearch_path), want, "OpenSearch", "metaembed search"))


def cmd_bulk_failures(path):
    """Prints 'errors items failed' and, per failed item, 'id<TAB>status<TAB>reason'."""
    r = json.load(open(path))
    items = [next(iter(i.values())) for i in r["items"]]
    failed = [i for i in items if "error" in i]
    print(str(r["errors"]).lower(), len(items), len(failed))
    for i in failed:
        print("%s\t%s\t%s" % (i.get("_id"), i.get("status"), i["error"].get("reason", "")))


def cmd_cat(path, node):
    """From _cat/metaembed?format=json: 'documents queries inferences failures time_ms models' of NODE."""
    for row in json.load(open(path)):
        if row["node"] == node:
            print(row["documents"], row["queries"], row["inferences"], row["failures"],
                  row["time_ms"], row["models"])
            return
    sys.exit("no row for %s in %s" % (node, open(path).read()))


def cmd_first_hit(path):
    """The first hit's id of the first search response among the JSON lines of PATH."""
    for line in open(path):
        line = line.strip()
        if line.startswith("{") and '"hits"' in line:
            hits = json.loads(line)["hits"]["hits"]
            print(hits[0]["_id"] if hits else "")
            return
    sys.exit("no search response in " + path)


def cmd_example(readme, marker):
    """Prints the ```bash block between <!-- MARKER:begin --> and <!-- MARKER:end --> of README."""
    text = open(readme).read()
    begin, end = "<!-- %s:begin -->" % marker, "<!-- %s:end -->" % marker
    if begin not in text or end not in text:
        sys.exit("%s has no %s ... %s" % (readme, begin, end))
    block = text.split(begin, 1)[1].split(end, 1)[0].strip()
    if not block.startswith("```bash\n") or not block.endswith("```"):
        sys.exit("the example in %s is not one ```bash block" % readme)
    print(block[len("```bash\n"):-3], end="")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"queries": cmd_queries, "bulk": cmd_bulk, "query": cmd_query, "compare": cmd_compare,
     "bulk-failures": cmd_bulk_failures, "cat": cmd_cat, "example": cmd_example, "first-hit": cmd_first_hit,
     "vector-query": cmd_vector_query, "same-hits": cmd_same_hits, "median-took": cmd_median_took}[cmd](*args)
