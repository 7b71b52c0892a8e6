# Text in and out of the real cluster; sourced by cluster-test.sh (uses its http, expect_http,
# verified, die, log, bounded, $CTL, $HTTP_PORT, $PYTHON).
#
# Needs, from the build (see the pom): METAEMBED_CLI_CP (the metaembed command line's class path),
# METAEMBED_SAMPLES (samples/manpages), METAEMBED_READMES (the root and plugin READMEs, ':'-separated, which hold
# the same text-only example between <!-- opensearch-text-example:begin/end --> markers).

TEXT_DIR=$CTL/text
TEXT_BUDGETS=("4 8" "16 64")
TEXT_QUERIES=2
textpy() { "$PYTHON" "$(dirname "${BASH_SOURCE[0]}")/text_check.py" "$@"; }

# text_reference_start: in the background, `metaembed index` of the sample (float32, the storage the
# OpenSearch index uses) and `metaembed search --exact --json` for every query and budget: what the
# cluster must answer. Runs while the nodes start.
text_reference_start() {
  : "${METAEMBED_CLI_CP:?set by the pom: the metaembed CLI class path}"
  : "${METAEMBED_SAMPLES:?set by the pom: samples/manpages}"
  mkdir -p "$TEXT_DIR"
  textpy queries "$METAEMBED_SAMPLES" "$TEXT_QUERIES" >"$TEXT_DIR/queries.tsv"
  (
    set -e
    cli() {
      "$OPENSEARCH_JAVA_HOME/bin/java" --add-modules jdk.incubator.vector \
        --enable-native-access=ALL-UNNAMED -cp "$METAEMBED_CLI_CP" \
        dev.metaembed.cli.MetaEmbedCommand "$@"
    }
    cli index --quiet --corpus "$METAEMBED_SAMPLES/corpus.jsonl" --index "$TEXT_DIR/lucene" \
      --storage float32
    cut -f2 "$TEXT_DIR/queries.tsv" >"$TEXT_DIR/queries.txt"
    cli encode --quiet --queries --text --input "$TEXT_DIR/queries.txt" \
      --output "$TEXT_DIR/query-vectors.jsonl"
    n=0
    while IFS=$'\t' read -r qid text; do
      for budget in "${TEXT_BUDGETS[@]}"; do
        read -r q d <<<"$budget"
        n=$((n + 1))
        cli search --quiet --index "$TEXT_DIR/lucene" --exact --json -k 10 --budget "${q}x${d}" \
          "$text" >"$TEXT_DIR/cli-$n.jsonl"
      done
    done <"$TEXT_DIR/queries.tsv"
  ) >"$TEXT_DIR/reference.log" 2>&1 &
  TEXT_REFERENCE_PID=$!
  log "metaembed index + search of the man pages sample started in the background (pid $TEXT_REFERENCE_PID)"
}

# The README example, as written, with only the address changed; curl fails on HTTP errors.
check_readme_example() {
  local readme readmes first="" script=$TEXT_DIR/readme-example.sh out=$TEXT_DIR/readme-example.out
  IFS=':' read -ra readmes <<<"${METAEMBED_READMES:?set by the pom: the READMEs with the example}"
  for readme in "${readmes[@]}"; do
    textpy example "$readme" opensearch-text-example >"$TEXT_DIR/example-$(basename "$(dirname "$readme")").sh" \
      || die "no text-only OpenSearch example in $readme"
    if [[ -z $first ]]; then
      first=$TEXT_DIR/example-$(basename "$(dirname "$readme")").sh
    else
      diff -u "$first" "$TEXT_DIR/example-$(basename "$(dirname "$readme")").sh" >&2 \
        || die "the text-only OpenSearch examples of the READMEs differ"
    fi
  done
  grep -q '^OS=http://localhost:9200$' "$first" || die "the README example does not start with OS=http://localhost:9200"
  {
    echo 'curl() { command curl --fail-with-body "$@"; echo; }'
    sed "s#^OS=http://localhost:9200\$#OS=http://127.0.0.1:$HTTP_PORT#" "$first"
  } >"$script"
  timeout "$(bounded 120)" bash -euo pipefail "$script" >"$out" 2>&1 \
    || { cat "$out" >&2; die "the README's text-only OpenSearch example failed"; }
  [[ $(textpy first-hit "$out") == cp ]] \
    || { cat "$out" >&2; die "README example: the first hit is not cp, as the README says"; }
  grep -q 'builtin:metaembed-minilm' "$out" || { cat "$out" >&2; die "README example: _cat/metaembed shows no loaded model"; }
  verified "README text-only example ran as written (pipeline, index with default_pipeline, _bulk of text, query_text: first hit cp, _cat/metaembed)"
}

# The sample as text through the pipeline; query_text at two budgets = metaembed search.
check_text_search() {
  local ndocs nfiles part berr bitems bbad n qid text q d summary row
  cat >"$TEXT_DIR/pipeline.json" <<'JSON'
{"description": "man pages text to MetaEmbed vectors",
 "processors": [{"metaembed_encode": {"field": "text", "title_field": "title", "target_field": "page"}}]}
JSON
  expect_http 200 PUT /_ingest/pipeline/manpages-text "$TEXT_DIR/pipeline.json"
  cat >"$TEXT_DIR/index.json" <<'JSON'
{"settings": {"index.metaembed": true, "number_of_shards": 3, "number_of_replicas": 1,
              "index.default_pipeline": "manpages-text"},
 "mappings": {"_source": {"excludes": ["page"]},
              "properties": {"page": {"type": "metaembed_vector", "dims": 384, "max_vectors": 64,
                                      "similarity": "dot_product", "storage": "float32"},
                             "title": {"type": "text"}, "text": {"type": "text"}}}}
JSON
  expect_http 200 PUT /manpages "$TEXT_DIR/index.json"
  read -r ndocs nfiles < <(textpy bulk "$METAEMBED_SAMPLES" manpages "$TEXT_DIR/bulk" 200)
  local start=$SECONDS
  for ((part = 1; part <= nfiles; part++)); do
    expect_http 200 POST /_bulk "$TEXT_DIR/bulk-$part.ndjson" application/x-ndjson
    read -r berr bitems bbad < <(textpy bulk-failures "$RESP")
    [[ $berr == false && $bbad == 0 ]] || { textpy bulk-failures "$RESP" >&2; die "text bulk $part: $bbad of $bitems failed"; }
  done
  local took=$((SECONDS - start))
  expect_http 200 POST /manpages/_refresh
  expect_http 200 GET /manpages/_count
  [[ $(py get "$RESP" count) == "$ndocs" ]] || die "manpages _count: $(cat "$RESP")"
  verified "man pages sample as text: $ndocs documents in $nfiles _bulk requests through metaembed_encode in ${took}s, _count=$ndocs"

  # one bad document among good ones: it fails alone, with a 400
  printf '%s\n' '{"index": {"_index": "manpages", "_id": "bad-text"}}' '{"text": 42}' \
    '{"index": {"_index": "manpages", "_id": "good-text"}}' '{"text": "a page about nothing"}' \
    >"$TEXT_DIR/bulk-bad.ndjson"
  expect_http 200 POST "/_bulk?refresh=true" "$TEXT_DIR/bulk-bad.ndjson" application/x-ndjson
  textpy bulk-failures "$RESP" >"$TEXT_DIR/bulk-bad.txt"
  grep -q $'^bad-text\t400\t.*must be a string' "$TEXT_DIR/bulk-bad.txt" \
    || die "a non-string text must fail alone with 400: $(cat "$TEXT_DIR/bulk-bad.txt")"
  [[ $(head -1 "$TEXT_DIR/bulk-bad.txt") == "true 2 1" ]] || die "bad text bulk: $(cat "$TEXT_DIR/bulk-bad.txt")"
  expect_http 200 DELETE "/manpages/_doc/good-text?refresh=true"
  verified "a document whose text is a number fails alone with 400 (the other item of the bulk is indexed)"

  log "waiting for metaembed search (the reference)"
  local waited=$SECONDS
  while kill -0 "$TEXT_REFERENCE_PID" 2>/dev/null; do
    ((SECONDS - waited < $(bounded 300))) || die "metaembed index/search did not finish"
    sleep 1
  done
  wait "$TEXT_REFERENCE_PID" || { cat "$TEXT_DIR/reference.log" >&2; die "metaembed index/search failed"; }
  n=0
  local qn=0
  while IFS=$'\t' read -r qid text; do
    qn=$((qn + 1))
    for budget in "${TEXT_BUDGETS[@]}"; do
      read -r q d <<<"$budget"
      n=$((n + 1))
      textpy query "$TEXT_DIR/query-$n.json" "$text" "$q" "$d"
      expect_http 200 POST /manpages/_search "$TEXT_DIR/query-$n.json"
      cp "$RESP" "$TEXT_DIR/search-$n.json"
      summary=$(textpy compare "$TEXT_DIR/search-$n.json" "$TEXT_DIR/cli-$n.jsonl") \
        || die "query_text \"$text\" at ($q,$d) differs from metaembed search (see above)"
      textpy vector-query "$TEXT_DIR/vquery-$n.json" "$TEXT_DIR/query-vectors.jsonl" "$qn" "$q" "$d"
      expect_http 200 POST /manpages/_search "$TEXT_DIR/vquery-$n.json"
      textpy same-hits "$TEXT_DIR/search-$n.json" "$RESP" >/dev/null \
        || die "query_text \"$text\" and the query_vectors of metaembed encode --queries differ at ($q,$d)"
      verified "query_text \"$text\" at budget ($q,$d), exact: same hits and scores as metaembed search --exact: $summary; and as query_vectors from metaembed encode --queries"
    done
  done <"$TEXT_DIR/queries.tsv"
  text_timing

  expect_http 200 GET "/_cat/metaembed?format=json"
  cp "$RESP" "$TEXT_DIR/cat.json"
  row=$(textpy cat "$TEXT_DIR/cat.json" node-1) || die "_cat/metaembed: $(cat "$TEXT_DIR/cat.json")"
  read -r docs queries inferences failures ms models <<<"$row"
  ((docs >= ndocs && queries >= n)) || die "_cat/metaembed on node-1: $row (want >= $ndocs documents, >= $n queries)"
  verified "_cat/metaembed on node-1: $docs documents, $queries queries, $inferences inferences, $failures failures, ${ms} ms, models $models"
}

# What query_text costs: the same graph search (budget (4,8)) 7 times with query_text and 7 times
# with the query's vectors; the medians of OpenSearch's `took`, and node-1's encoding time per
# query from _cat/metaembed (figures, never asserted).
text_timing() {
  local text i with=() without=() before after
  text=$(head -1 "$TEXT_DIR/queries.tsv" | cut -f2)
  textpy query "$TEXT_DIR/time-text.json" "$text" 4 8 graph
  textpy vector-query "$TEXT_DIR/time-vectors.json" "$TEXT_DIR/query-vectors.jsonl" 1 4 8 graph
  expect_http 200 GET "/_cat/metaembed?format=json"
  before=$(textpy cat "$RESP" node-1 | cut -d' ' -f5)
  for ((i = 1; i <= 7; i++)); do
    expect_http 200 POST /manpages/_search "$TEXT_DIR/time-text.json"
    cp "$RESP" "$TEXT_DIR/took-text-$i.json"
    with+=("$TEXT_DIR/took-text-$i.json")
    expect_http 200 POST /manpages/_search "$TEXT_DIR/time-vectors.json"
    cp "$RESP" "$TEXT_DIR/took-vectors-$i.json"
    without+=("$TEXT_DIR/took-vectors-$i.json")
  done
  expect_http 200 GET "/_cat/metaembed?format=json"
  after=$(textpy cat "$RESP" node-1 | cut -d' ' -f5)
  verified "took (median of 7, graph search at (4,8), 3 shards): query_text $(textpy median-took "${with[@]}") ms, query_vectors $(textpy median-took "${without[@]}") ms; encoding the query on node-1: $(((after - before) / 7)) ms on average"
}
