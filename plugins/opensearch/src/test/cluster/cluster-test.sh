#!/usr/bin/env bash
# Cluster smoke test: installs the metaembed OpenSearch plugin zip into a real
# OpenSearch distribution, starts a 3-node cluster on 127.0.0.1, runs a
# late_interaction scenario over HTTP (primary vs replica, close/open, force merge,
# snapshot/restore, split), then text (text-scenario.sh: the README example, the man pages
# sample through metaembed_encode, query_text against metaembed search), kills a data node and
# checks the results survive. Every vector search is checked against a brute-force MaxSim in
# Python. See README.md in this folder.
#
#   cluster-test.sh <opensearch-integ-test-zip> <plugin-zip> <work-dir>
#
# Environment:
#   OPENSEARCH_JAVA_HOME / JAVA_HOME   JDK used by OpenSearch (the integ-test-zip has none)
#   METAEMBED_CLUSTER_BASE_PORT        first HTTP port to try (default 19200)
#   METAEMBED_CLUSTER_TIMEOUT          overall time budget in seconds (default 600)
#   METAEMBED_CLUSTER_SKIP_PLUGIN=1    skip plugin install + metaembed scenario (by hand only: the run ends
#                                      SKIPPED, and the Maven build sets it to 0)
#                                      (still starts the cluster, waits for green, kills a node)
#   METAEMBED_CLUSTER_KEEP=1           keep the fallback run dir under /tmp (if one was needed)
#   METAEMBED_CLUSTER_HEAP             node heap (default 384m)
#   METAEMBED_CLUSTER_EXTRA_JAVA_OPTS  appended to OPENSEARCH_JAVA_OPTS of every node
#   METAEMBED_CLUSTER_USER             user to run the nodes as when invoked as root (default metaembed-os)
set -euo pipefail

SECONDS=0
log() { printf '[cluster-test %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

if [[ $# -ne 3 ]]; then
  echo "usage: $0 <opensearch-integ-test-zip> <plugin-zip> <work-dir>" >&2
  exit 2
fi

abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }

DIST_ZIP=$(abspath "$1")
PLUGIN_ZIP_ARG=$2
WORK_DIR_ARG=$3
SKIP_PLUGIN=${METAEMBED_CLUSTER_SKIP_PLUGIN:-0}
BASE_PORT=${METAEMBED_CLUSTER_BASE_PORT:-19200}
TIMEOUT=${METAEMBED_CLUSTER_TIMEOUT:-600}
RUN_USER_NAME=${METAEMBED_CLUSTER_USER:-metaembed-os}
NODES=3
HEAP=${METAEMBED_CLUSTER_HEAP:-384m}

VERIFIED=()
verified() { VERIFIED+=("$*"); log "OK: $*"; }

# ---------------------------------------------------------------- time budget
remaining() { echo $((TIMEOUT - SECONDS)); }
# bounded <wanted-seconds>: min(wanted, remaining budget); dies if budget is gone
bounded() {
  local want=$1 rem
  rem=$(remaining)
  ((rem > 0)) || die "overall time budget of ${TIMEOUT}s exhausted"
  ((want < rem)) && echo "$want" || echo "$rem"
}

# ---------------------------------------------------------------- preconditions
[[ -f $DIST_ZIP ]] || die "distribution zip not found: $DIST_ZIP"
PLUGIN_ZIP=""
if [[ $SKIP_PLUGIN != 1 ]]; then
  [[ -f $PLUGIN_ZIP_ARG ]] || die "plugin zip not found: $PLUGIN_ZIP_ARG"
  PLUGIN_ZIP=$(abspath "$PLUGIN_ZIP_ARG")
fi
for tool in curl unzip python3 timeout setsid; do
  command -v "$tool" >/dev/null || die "required tool missing: $tool"
done
PYTHON=$(command -v python3)
# resolve a pyenv-style shim etc. to the real interpreter once
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')

export OPENSEARCH_JAVA_HOME=${OPENSEARCH_JAVA_HOME:-${JAVA_HOME:-}}
[[ -n $OPENSEARCH_JAVA_HOME ]] || die "set OPENSEARCH_JAVA_HOME or JAVA_HOME (the integ-test-zip has no bundled JDK)"
[[ -x $OPENSEARCH_JAVA_HOME/bin/java ]] || die "no java at $OPENSEARCH_JAVA_HOME/bin/java"
unset JAVA_TOOL_OPTIONS JAVA_OPTS _JAVA_OPTIONS || true
log "java: $("$OPENSEARCH_JAVA_HOME/bin/java" -version 2>&1 | head -1) ($OPENSEARCH_JAVA_HOME)"

# ---------------------------------------------------------------- user handling
AS_USER=()
if [[ $(id -u) -eq 0 ]]; then
  if ! id -u "$RUN_USER_NAME" >/dev/null 2>&1; then
    log "running as root: creating system user $RUN_USER_NAME"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER_NAME" \
      || id -u "$RUN_USER_NAME" >/dev/null 2>&1 || die "cannot create user $RUN_USER_NAME"
  fi
  RUN_UID=$(id -u "$RUN_USER_NAME")
  RUN_GID=$(id -g "$RUN_USER_NAME")
  if command -v setpriv >/dev/null; then
    AS_USER=(setpriv "--reuid=$RUN_UID" "--regid=$RUN_GID" --clear-groups --)
  else
    AS_USER=(runuser -u "$RUN_USER_NAME" --)
  fi
  log "running as root: nodes will run as $RUN_USER_NAME (uid $RUN_UID)"
fi
as_user() { "${AS_USER[@]}" "$@"; }

mkdir -p "$WORK_DIR_ARG"
WORK_DIR=$(cd "$WORK_DIR_ARG" && pwd -P)
RUN_DIR=$WORK_DIR
FALLBACK_RUN_DIR=""
if [[ ${#AS_USER[@]} -gt 0 ]]; then
  as_user test -x "$OPENSEARCH_JAVA_HOME/bin/java" \
    || die "$RUN_USER_NAME cannot execute $OPENSEARCH_JAVA_HOME/bin/java (JDK under a private dir?)"
  if ! as_user test -x "$(dirname "$WORK_DIR")"; then
    FALLBACK_RUN_DIR=$(mktemp -d /tmp/metaembed-cluster.XXXXXX)
    RUN_DIR=$FALLBACK_RUN_DIR
    log "a parent of $WORK_DIR is not traversable by $RUN_USER_NAME: running in $RUN_DIR (logs copied back at the end)"
  fi
fi
OS_HOME=$RUN_DIR/opensearch
NODES_DIR=$RUN_DIR/nodes
CTL=$RUN_DIR/ctl            # scratch files of this script (request/response bodies)
SNAP_DIR=$RUN_DIR/snapshots # the fs snapshot repository, shared by all nodes (path.repo)

# ---------------------------------------------------------------- cleanup trap
NODE_PIDS=()    # index i-1 -> pid (= process group id, started via setsid)
NODE_ALIVE=()
HTTP_PORTS=()
TRANSPORT_PORTS=()

stop_nodes() {
  local i pid any=0
  for i in "${!NODE_PIDS[@]}"; do
    pid=${NODE_PIDS[$i]}
    if kill -0 "$pid" 2>/dev/null; then
      any=1
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  if ((any)); then
    local deadline=$((SECONDS + 20))
    for i in "${!NODE_PIDS[@]}"; do
      pid=${NODE_PIDS[$i]}
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
      if kill -0 "$pid" 2>/dev/null; then
        log "node-$((i + 1)) (pid $pid) did not stop on SIGTERM: SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      fi
    done
  fi
  for i in "${!NODE_PIDS[@]}"; do
    pid=${NODE_PIDS[$i]}
    wait "$pid" 2>/dev/null || true
    # anything left in the group (launcher helper JVMs)?
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ ${#NODE_PIDS[@]} -gt 0 ]]; then
    log "stopping ${#NODE_PIDS[@]} node(s)"
    stop_nodes
  fi
  if ((rc != 0)); then
    local i f
    for ((i = 1; i <= NODES; i++)); do
      for f in "$NODES_DIR/node-$i/logs/console.log" "$NODES_DIR/node-$i/logs/metaembed-cluster-test.log"; do
        [[ -f $f ]] || continue
        echo "----- tail -n 60 $f -----" >&2
        tail -n 60 "$f" >&2
      done
    done
  fi
  if [[ -n $FALLBACK_RUN_DIR ]]; then
    mkdir -p "$WORK_DIR/logs"
    for ((i = 1; i <= NODES; i++)); do
      [[ -d $NODES_DIR/node-$i/logs ]] && cp -r "$NODES_DIR/node-$i/logs" "$WORK_DIR/logs/node-$i" 2>/dev/null
    done
    if [[ ${METAEMBED_CLUSTER_KEEP:-0} != 1 ]]; then
      rm -rf "$FALLBACK_RUN_DIR"
    else
      log "kept $FALLBACK_RUN_DIR"
    fi
  fi
  if ((rc == 0)) && [[ $SKIP_PLUGIN == 1 ]]; then
    log "SKIPPED the metaembed scenario (METAEMBED_CLUSTER_SKIP_PLUGIN=1): only the cluster itself was checked, in ${SECONDS}s"
  elif ((rc == 0)); then
    log "PASSED in ${SECONDS}s"
  else
    if [[ -n $FALLBACK_RUN_DIR && ${METAEMBED_CLUSTER_KEEP:-0} != 1 ]]; then
      log "FAILED (exit $rc) after ${SECONDS}s; node logs copied to $WORK_DIR/logs"
    else
      log "FAILED (exit $rc) after ${SECONDS}s; node logs under $NODES_DIR/node-*/logs"
    fi
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- unzip + install
rm -rf "$OS_HOME" "$NODES_DIR" "$CTL" "$SNAP_DIR"
mkdir -p "$CTL" "$RUN_DIR/unzip" "$SNAP_DIR"
log "unzipping $(basename "$DIST_ZIP")"
timeout "$(bounded 120)" unzip -q -o "$DIST_ZIP" -d "$RUN_DIR/unzip" || die "unzip failed"
top=$(find "$RUN_DIR/unzip" -mindepth 1 -maxdepth 1 -type d | head -1)
[[ -x $top/bin/opensearch ]] || die "no bin/opensearch in $DIST_ZIP"
mv "$top" "$OS_HOME"
rmdir "$RUN_DIR/unzip"
OS_VERSION=$(basename "$top")
log "distribution: $OS_VERSION at $OS_HOME"

PLUGIN_NAME=""
if [[ $SKIP_PLUGIN != 1 ]]; then
  PLUGIN_NAME=$(unzip -p "$PLUGIN_ZIP" plugin-descriptor.properties 2>/dev/null | sed -n 's/^name=//p' | tr -d '\r' | head -1)
  [[ -n $PLUGIN_NAME ]] || die "plugin zip has no plugin-descriptor.properties with name=: $PLUGIN_ZIP"
  log "installing plugin '$PLUGIN_NAME' from $PLUGIN_ZIP"
  install_start=$SECONDS
  if ! timeout "$(bounded 120)" "$OS_HOME/bin/opensearch-plugin" install --batch "file://$PLUGIN_ZIP" \
      >"$CTL/plugin-install.log" 2>&1; then
    cat "$CTL/plugin-install.log" >&2
    die "opensearch-plugin install failed"
  fi
  "$OS_HOME/bin/opensearch-plugin" list >"$CTL/plugin-list.txt" 2>/dev/null || true
  grep -qx "$PLUGIN_NAME" "$CTL/plugin-list.txt" || { cat "$CTL/plugin-install.log" >&2; die "plugin '$PLUGIN_NAME' not listed by opensearch-plugin list"; }
  verified "plugin zip ($(($(stat -c %s "$PLUGIN_ZIP") / 1048576)) MiB) installs with 'opensearch-plugin install --batch' in $((SECONDS - install_start))s (name: $PLUGIN_NAME)"
  # shellcheck source=text-scenario.sh
  source "$(dirname "${BASH_SOURCE[0]}")/text-scenario.sh"
  text_reference_start
else
  log "METAEMBED_CLUSTER_SKIP_PLUGIN=1: no plugin install, no metaembed scenario"
fi

# ---------------------------------------------------------------- ports
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_ports() {
  local base=$BASE_PORT attempt i ok
  for ((attempt = 0; attempt < 30; attempt++)); do
    ok=1
    for ((i = 0; i < NODES; i++)); do
      if port_in_use $((base + i)) || port_in_use $((base + 100 + i)); then ok=0; break; fi
    done
    if ((ok)); then
      for ((i = 0; i < NODES; i++)); do
        HTTP_PORTS[i]=$((base + i))
        TRANSPORT_PORTS[i]=$((base + 100 + i))
      done
      return 0
    fi
    base=$((base + 10))
  done
  die "no free port range found starting at $BASE_PORT"
}
pick_ports
log "http ports: ${HTTP_PORTS[*]}; transport ports: ${TRANSPORT_PORTS[*]}"

# ---------------------------------------------------------------- per-node config
seeds=""
masters=""
for ((i = 1; i <= NODES; i++)); do
  seeds+="${seeds:+, }\"127.0.0.1:${TRANSPORT_PORTS[i - 1]}\""
  masters+="${masters:+, }\"node-$i\""
done
for ((i = 1; i <= NODES; i++)); do
  nd=$NODES_DIR/node-$i
  mkdir -p "$nd/data" "$nd/logs" "$nd/tmp"
  cp -r "$OS_HOME/config" "$nd/config"
  # GC log / heap dump / error file paths in jvm.options are relative to OPENSEARCH_HOME
  # (bin/opensearch cd's there): point them at the node's own dirs.
  sed -i \
    -e "s#file=logs/gc.log#file=$nd/logs/gc.log#" \
    -e "s#ErrorFile=logs/#ErrorFile=$nd/logs/#" \
    -e "s#HeapDumpPath=data#HeapDumpPath=$nd/tmp#" \
    -e 's#^-Xm[sx].*##' \
    "$nd/config/jvm.options"
  cat >"$nd/config/opensearch.yml" <<EOF
cluster.name: metaembed-cluster-test
node.name: node-$i
network.host: 127.0.0.1
http.port: ${HTTP_PORTS[i - 1]}
transport.port: ${TRANSPORT_PORTS[i - 1]}
path.data: $nd/data
path.logs: $nd/logs
path.repo: ["$SNAP_DIR"]
discovery.seed_hosts: [$seeds]
cluster.initial_cluster_manager_nodes: [$masters]
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: false
EOF
done
if [[ ${#AS_USER[@]} -gt 0 ]]; then
  chown -R "$RUN_UID:$RUN_GID" "$RUN_DIR"
fi

# ---------------------------------------------------------------- start nodes
start_node() {
  local i=$1 nd=$NODES_DIR/node-$1
  # setsid: the node gets its own process group (pgid = $!), so the trap can kill
  # the launcher script, its helper JVMs and the node JVM together.
  env OPENSEARCH_PATH_CONF="$nd/config" \
      OPENSEARCH_TMPDIR="$nd/tmp" \
      OPENSEARCH_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP ${METAEMBED_CLUSTER_EXTRA_JAVA_OPTS:-}" \
      OPENSEARCH_JAVA_HOME="$OPENSEARCH_JAVA_HOME" \
      HOME="$nd" \
      setsid "${AS_USER[@]}" "$OS_HOME/bin/opensearch" </dev/null >"$nd/logs/console.log" 2>&1 &
  NODE_PIDS[i - 1]=$!
  NODE_ALIVE[i - 1]=1
  log "started node-$i (pid ${NODE_PIDS[i - 1]}, http ${HTTP_PORTS[i - 1]}, transport ${TRANSPORT_PORTS[i - 1]})"
}
for ((i = 1; i <= NODES; i++)); do start_node "$i"; done

check_nodes_alive() {
  local i
  for i in "${!NODE_PIDS[@]}"; do
    [[ ${NODE_ALIVE[$i]} == 1 ]] || continue
    kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || die "node-$((i + 1)) (pid ${NODE_PIDS[$i]}) exited"
  done
}

# ---------------------------------------------------------------- http helpers
HTTP_PORT=${HTTP_PORTS[0]}
RESP=$CTL/response.json
# http METHOD PATH [BODY-FILE [CONTENT-TYPE]] -> prints the status code (000: no answer); body in $RESP
http() {
  local method=$1 path=$2 body=${3:-} ctype=${4:-application/json} want=60 maxt args code
  # a server-side wait (?timeout=Ns, e.g. _cluster/health) must end before curl gives up
  [[ $path =~ [?\&]timeout=([0-9]+)s ]] && want=$((BASH_REMATCH[1] + 15))
  maxt=$(bounded "$want") || exit 1
  args=(-sS -o "$RESP" -w '%{http_code}' -X "$method" --max-time "$maxt")
  [[ -n $body ]] && args+=(-H "Content-Type: $ctype" --data-binary "@$body")
  code=$(curl "${args[@]}" "http://127.0.0.1:$HTTP_PORT$path") || true
  [[ $code =~ ^[0-9]{3}$ ]] || code=000
  echo "$code"
}
# expect_http STATUS METHOD PATH [BODY-FILE [CONTENT-TYPE]]
expect_http() {
  local want=$1 got
  shift
  got=$(http "$@")
  if [[ $got != "$want" ]]; then
    log "$1 $2 -> HTTP $got (expected $want); body:"
    head -c 4000 "$RESP" >&2 || true
    echo >&2
    die "$1 $2 returned HTTP $got"
  fi
}
py() { "$PYTHON" "$CTL/helper.py" "$@"; }

# python helper: JSON field access, data generation, expected scores, checks
cat >"$CTL/helper.py" <<'PYEOF'
import json, math, random, re, sys

DIMS, MAX_VECTORS, NUM_DOCS, SEED = 8, 8, 200, 20240917
QUERY_VECTORS = 4  # the budget below cuts both the query and the documents short
BUDGET_QUERY, BUDGET_DOCUMENT, K = 2, 4, 10
REL_TOL = 1e-4


def pair_similarity(q, d):
    """Similarity of one (query vector, doc vector) pair as the plugin reports it.

    Lucene's VectorSimilarityFunction.DOT_PRODUCT.compare for float vectors is
    max((1 + dot) / 2, 0); all vectors here are unit length so dot is in [-1, 1].
    Adjust here if the plugin's contract changes.
    """
    dot = sum(a * b for a, b in zip(q, d))
    return max((1.0 + dot) / 2.0, 0.0)


def late_interaction_score(query_vectors, doc_vectors):
    qs = query_vectors[:BUDGET_QUERY]
    ds = doc_vectors[:BUDGET_DOCUMENT]
    return sum(max(pair_similarity(q, d) for d in ds) for q in qs)


def unit(rng):
    v = [rng.gauss(0.0, 1.0) for _ in range(DIMS)]
    n = math.sqrt(sum(x * x for x in v))
    return [round(x / n, 6) for x in v]


def docs():
    rng = random.Random(SEED)
    out = []
    for i in range(NUM_DOCS):
        nv = rng.randint(1, MAX_VECTORS)
        out.append({
            "id": "doc-%03d" % i,
            "page": [unit(rng) for _ in range(nv)],
            "lang": "en" if rng.random() < 0.5 else "de",
            "title": "page %d of the metaembed cluster test" % i,
        })
    return out


def query_vectors():
    rng = random.Random(SEED + 1)
    return [unit(rng) for _ in range(QUERY_VECTORS)]


def cmd_bulk(prefix):
    """Writes the documents as two bulk bodies, <prefix>-1.ndjson (first half) and
    <prefix>-2.ndjson: indexed with a refresh after each, every shard gets two segments."""
    all_docs = docs()
    half = len(all_docs) // 2
    for part, chunk in ((1, all_docs[:half]), (2, all_docs[half:])):
        with open("%s-%d.ndjson" % (prefix, part), "w") as f:
            for d in chunk:
                f.write(json.dumps({"index": {"_index": "pages", "_id": d["id"]}}) + "\n")
                f.write(json.dumps({"page": d["page"], "lang": d["lang"], "title": d["title"]}) + "\n")
    en = sum(1 for d in all_docs if d["lang"] == "en")
    print("%d %d" % (NUM_DOCS, en))


def cmd_query(path, *flags):
    """The late_interaction query; flag 'profile' adds "profile": true (the response then
    names the node that searched each shard)."""
    body = {"size": K, "query": {"late_interaction": {
        "field": "page", "query_vectors": query_vectors(), "k": K,
        "budget": {"query": BUDGET_QUERY, "document": BUDGET_DOCUMENT},
        "num_candidates": NUM_DOCS, "filter": {"term": {"lang": "en"}}}}}
    if "profile" in flags:
        body["profile"] = True
    with open(path, "w") as f:
        json.dump(body, f)


def cmd_bad_doc(path):
    with open(path, "w") as f:
        json.dump({"page": [[0.5] * (DIMS - 1)], "lang": "en", "title": "bad dims"}, f)


def close(a, b):
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-12)


def cmd_check_search(resp_path, out_path):
    """Checks (a) and (b); writes 'id score' lines of the hits to out_path."""
    resp = json.load(open(resp_path))
    errors = []
    if resp.get("timed_out"):
        errors.append("search timed_out=true")
    shards = resp.get("_shards", {})
    if shards.get("failed", 0):
        errors.append("shard failures: %s" % json.dumps(shards)[:2000])
    hits = resp.get("hits", {}).get("hits", [])
    by_id = {d["id"]: d for d in docs()}
    qv = query_vectors()
    expected = sorted(((late_interaction_score(qv, d["page"]), d["id"]) for d in docs() if d["lang"] == "en"),
                      key=lambda t: (-t[0], t[1]))
    exp_score = {i: s for s, i in expected}
    if len(hits) != K:
        errors.append("expected %d hits, got %d" % (K, len(hits)))
    for h in hits:
        src = h.get("_source", {})
        if src.get("lang") != "en":
            errors.append("hit %s has lang=%r (filter lang=en violated)" % (h.get("_id"), src.get("lang")))
        if h.get("_id") not in by_id:
            errors.append("unknown hit id %r" % h.get("_id"))
            continue
        want = exp_score.get(h["_id"])
        if want is not None and not close(h.get("_score") or 0.0, want):
            errors.append("hit %s: score %r, expected %.7f (rel diff %.2e)" % (
                h["_id"], h.get("_score"), want, abs((h.get("_score") or 0.0) - want) / max(want, 1e-12)))
    scores = [h.get("_score") or 0.0 for h in hits]
    if any(scores[i] < scores[i + 1] * (1 - REL_TOL) for i in range(len(scores) - 1)):
        errors.append("hits not sorted by score desc: %s" % scores)
    got_ids = [h.get("_id") for h in hits]
    top_ids = [i for _, i in expected[:K]]
    if set(got_ids) != set(top_ids):
        # tolerate a tie at the k-th position only
        cutoff = expected[K - 1][0] if len(expected) >= K else 0.0
        for i in set(got_ids) ^ set(top_ids):
            if i in exp_score and not close(exp_score[i], cutoff):
                errors.append("top-%d id sets differ: got %s, expected %s" % (K, got_ids, top_ids))
                break
    if errors:
        print("expected top %d (brute force over %d lang=en docs):" % (K, len(expected)), file=sys.stderr)
        for s, i in expected[:K + 2]:
            print("  %s %.7f" % (i, s), file=sys.stderr)
        print("got:", file=sys.stderr)
        for h in hits:
            print("  %s %r lang=%r" % (h.get("_id"), h.get("_score"), h.get("_source", {}).get("lang")), file=sys.stderr)
        for e in errors:
            print("ERROR: " + e, file=sys.stderr)
        sys.exit(1)
    with open(out_path, "w") as f:
        for h in hits:
            f.write("%s %r\n" % (h["_id"], h["_score"]))
    print("%d hits, scores %.6f..%.6f, max rel err %.1e" % (
        len(hits), scores[0], scores[-1],
        max(abs(h["_score"] - exp_score[h["_id"]]) / exp_score[h["_id"]] for h in hits)))


def cmd_get(resp_path, expr):
    """Print a value from a JSON file; expr is a dotted path ('a.b.0.c')."""
    v = json.load(open(resp_path))
    for part in expr.split(".") if expr else []:
        v = v[int(part)] if isinstance(v, list) else v[part]
    print(v if not isinstance(v, (dict, list)) else json.dumps(v))


def cmd_bulk_errors(resp_path):
    r = json.load(open(resp_path))
    bad = [it for it in r.get("items", []) for op in it.values() if op.get("status", 500) >= 300]
    print("%s %d %d" % (str(r.get("errors")).lower(), len(r.get("items", [])), len(bad)))
    for it in bad[:3]:
        print(json.dumps(it)[:1500], file=sys.stderr)


def cmd_nodes(resp_path):
    """_cat/nodes?format=json&h=name,cluster_manager -> 'name *' lines."""
    for n in json.load(open(resp_path)):
        print(n["name"], n.get("cluster_manager") or n.get("master") or "-")


def cmd_plugins(resp_path, name):
    rows = json.load(open(resp_path))
    print(sorted({r["name"] for r in rows if r.get("component") == name}).__len__())


def cmd_error_reasons(resp_path):
    """All 'reason' strings of an OpenSearch error body, one a line."""
    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "reason" and isinstance(x, str):
                    yield x
                else:
                    yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)
    seen = []
    for r in walk(json.load(open(resp_path)).get("error", {})):
        if r not in seen:
            seen.append(r)
    print("\n".join(seen))


def cmd_pick_victim(resp_path, manager):
    """'name primaries copies' of the non-manager node with the most STARTED primaries."""
    stats = {}
    for r in json.load(open(resp_path)):
        if r.get("state") != "STARTED" or not r.get("node") or r["node"] == manager:
            continue
        pri, copies = stats.get(r["node"], (0, 0))
        stats[r["node"]] = (pri + (r.get("prirep") == "p"), copies + 1)
    if stats:
        name, (pri, copies) = max(sorted(stats.items()), key=lambda t: t[1])
        print(name, pri, copies)


def cmd_shard_table(resp_path):
    rows = sorted(json.load(open(resp_path)), key=lambda r: (int(r["shard"]), r["prirep"]))
    print(", ".join("%s%s@%s" % (r["shard"], r["prirep"], r.get("node") or r.get("state")) for r in rows))


def cmd_segments(resp_path, index):
    """GET /<index>/_segments -> 'copies max min primary_docs primary_deleted detail': searchable
    segments per shard copy (max and min over the copies), live and deleted documents summed
    over the primaries, detail = 'shard+prirep:segments' per copy."""
    rows = []
    for sid, copies in json.load(open(resp_path))["indices"][index]["shards"].items():
        for c in copies:
            segs = [s for s in c.get("segments", {}).values() if s.get("search")]
            rows.append((int(sid), "p" if c["routing"]["primary"] else "r", len(segs),
                         sum(s.get("num_docs", 0) for s in segs), sum(s.get("deleted_docs", 0) for s in segs)))
    rows.sort()
    if not rows:
        print("0 0 0 0 0 -")
        return
    counts = [r[2] for r in rows]
    print(len(rows), max(counts), min(counts), sum(r[3] for r in rows if r[1] == "p"),
          sum(r[4] for r in rows if r[1] == "p"), ",".join("%d%s:%d" % r[:3] for r in rows))


def cmd_served_by(resp_path, shards_path, index, prirep):
    """Checks from the profile section of a search response (shard ids '[nodeId][index][shard]')
    that every shard of index was searched exactly once, on its prirep copy ('p' or 'r'), as
    _cat/shards?h=index,shard,prirep,state,id,node says; prints 'shard+prirep@node' per shard."""
    copies = {}
    for r in json.load(open(shards_path)):
        if r.get("index") == index and r.get("state") == "STARTED":
            copies[(int(r["shard"]), r["id"])] = (r["prirep"], r["node"])
    nshards = len({s for s, _ in copies})
    served, errors = {}, []
    for sh in json.load(open(resp_path)).get("profile", {}).get("shards", []):
        m = re.match(r"^\[([^\]]+)\]\[([^\]]+)\]\[(\d+)\]$", sh.get("id", ""))
        if not m or m.group(2) != index:
            errors.append("unexpected profile shard id %r" % sh.get("id"))
            continue
        shard = int(m.group(3))
        pr, name = copies.get((shard, m.group(1)), ("?", m.group(1)))
        if shard in served:
            errors.append("shard %d searched twice" % shard)
        served[shard] = (pr, name)
        if pr != prirep:
            errors.append("shard %d was searched on %s, which holds copy %r, not %r" % (shard, name, pr, prirep))
    if nshards == 0 or sorted(served) != list(range(nshards)):
        errors.append("profile covers shards %s; the index has %d" % (sorted(served), nshards))
    for e in errors:
        print("ERROR: " + e, file=sys.stderr)
    if errors:
        sys.exit(1)
    print(" ".join("%d%s@%s" % (s, pr, name) for s, (pr, name) in sorted(served.items())))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"bulk": cmd_bulk, "query": cmd_query, "bad-doc": cmd_bad_doc, "check-search": cmd_check_search,
     "get": cmd_get, "bulk-errors": cmd_bulk_errors, "nodes": cmd_nodes, "plugins": cmd_plugins,
     "error-reasons": cmd_error_reasons, "pick-victim": cmd_pick_victim, "shard-table": cmd_shard_table,
     "segments": cmd_segments, "served-by": cmd_served_by}[cmd](*args)
PYEOF

# ---------------------------------------------------------------- metaembed checks
# One function per check of the scenario; called in order below. Every search goes
# through search_check: ids and scores against the Python brute force, and identical to
# the first search (hits-1.txt).

# wait_green INDEX: the index is green (all primaries and replicas started, none relocating)
wait_green() {
  local index=$1 t
  t=$(bounded 90)
  expect_http 200 GET "/_cluster/health/$index?wait_for_status=green&wait_for_no_relocating_shards=true&timeout=${t}s"
  [[ $(py get "$RESP" status) == green ]] || die "index $index not green: $(cat "$RESP")"
}

# expect_field FILE DOTTED-PATH WANT WHAT: a JSON value must equal WANT
expect_field() {
  local got
  got=$(py get "$1" "$2" 2>/dev/null) || got="<missing>"
  [[ $got == "$3" ]] || die "$4: $2 is '$got', expected '$3'; body: $(head -c 3000 "$1")"
}

# expect_count INDEX WHAT: _count of INDEX is $ndocs
expect_count() {
  expect_http 200 GET "/$1/_count"
  expect_field "$RESP" count "$ndocs" "$2: _count of $1"
}

# search_check INDEX TAG [QUERY-STRING [BODY]]: the late_interaction query on INDEX; hit ids
# and scores must match the brute force; unless TAG is 1, they must also be identical (ids,
# order and scores as printed) to the first search. Sets SEARCH_SUMMARY.
search_check() {
  local index=$1 tag=$2 qs=${3:-} body=${4:-$CTL/query.json} ok total
  expect_http 200 POST "/$index/_search$qs" "$body"
  cp "$RESP" "$CTL/search-$tag.json"
  SEARCH_SUMMARY=$(py check-search "$CTL/search-$tag.json" "$CTL/hits-$tag.txt") \
    || die "[$tag] late_interaction search on $index$qs is wrong (see above)"
  if [[ $tag != 1 ]] && ! diff -u "$CTL/hits-1.txt" "$CTL/hits-$tag.txt" >&2; then
    die "[$tag] hits on $index$qs differ from the first search"
  fi
  ok=$(py get "$CTL/search-$tag.json" _shards.successful)
  total=$(py get "$CTL/search-$tag.json" _shards.total)
  [[ $ok == "$total" ]] || die "[$tag] search on $index$qs: $ok of $total shards answered"
  SEARCH_SUMMARY+="; $ok/$total shards"
}

# (e) the same query on primaries only and on replicas only; the profile section names the
# node that searched each shard, which must hold that shard's primary (replica)
check_primary_replica() {
  local pref by served=()
  wait_green pages
  expect_http 200 GET "/_cat/shards/pages?format=json&h=index,shard,prirep,state,id,node"
  cp "$RESP" "$CTL/shards-pages.json"
  py query "$CTL/query-profile.json" profile
  for pref in primary replica; do
    search_check pages "$pref" "?preference=_$pref" "$CTL/query-profile.json"
    by=$(py served-by "$CTL/search-$pref.json" "$CTL/shards-pages.json" pages "${pref:0:1}") \
      || die "(e) preference=_$pref was not served by the $pref copies (see above)"
    served+=("$by")
  done
  diff -u "$CTL/hits-primary.txt" "$CTL/hits-replica.txt" >&2 || die "(e) primaries and replicas answer differently"
  verified "(e) preference=_primary (${served[0]}) and preference=_replica (${served[1]}): $SEARCH_SUMMARY; both match brute force and are identical"
}

# (f) close and reopen the index: the shards are reopened from disk
check_close_open() {
  local code
  expect_http 200 POST /pages/_close
  expect_field "$RESP" acknowledged True "(f) POST /pages/_close"
  expect_http 200 GET "/_cat/indices/pages?format=json&h=status"
  expect_field "$RESP" 0.status close "(f) after _close"
  code=$(http POST /pages/_search "$CTL/query.json")
  [[ $code == 400 ]] || die "(f) search on the closed index: HTTP $code, expected 400: $(head -c 2000 "$RESP")"
  expect_http 200 POST /pages/_open
  expect_field "$RESP" acknowledged True "(f) POST /pages/_open"
  wait_green pages
  search_check pages close-open
  verified "(f) POST /pages/_close (status close, search refused with 400), _open, green: $SEARCH_SUMMARY; identical to the first search"
}

# (g) force merge to one segment per shard copy: the MetaEmbed vectors are merged
check_forcemerge() {
  local copies maxseg minseg pdocs pdel before
  expect_http 200 GET /pages/_segments
  read -r copies maxseg minseg pdocs pdel before < <(py segments "$RESP" pages)
  ((maxseg > 1)) || die "(g) before _forcemerge no copy of pages has more than one segment ($before): nothing to merge"
  expect_http 200 POST "/pages/_forcemerge?max_num_segments=1"
  expect_field "$RESP" _shards.failed 0 "(g) _forcemerge"
  expect_http 200 POST /pages/_refresh
  expect_http 200 GET /pages/_segments
  read -r copies maxseg minseg pdocs pdel after < <(py segments "$RESP" pages)
  [[ $copies == 6 && $maxseg == 1 && $minseg == 1 ]] \
    || die "(g) after _forcemerge?max_num_segments=1: $copies copies, segments per copy $after (expected 6 copies of 1)"
  [[ $pdocs == "$ndocs" ]] || die "(g) after _forcemerge the primaries hold $pdocs documents, expected $ndocs"
  search_check pages forcemerge
  verified "(g) _forcemerge?max_num_segments=1 + _refresh: searchable segments per copy $before -> $after, $pdocs docs; $SEARCH_SUMMARY; identical to the first search"
}

# (h) snapshot pages to an fs repository, restore it as pages-restored
check_snapshot_restore() {
  local repo=metaembed-fs snap=snap-1 target=pages-restored nverify
  printf '{"type": "fs", "settings": {"location": "%s"}}\n' "$SNAP_DIR" >"$CTL/repo.json"
  expect_http 200 PUT "/_snapshot/$repo" "$CTL/repo.json"
  expect_http 200 POST "/_snapshot/$repo/_verify"
  nverify=$(py get "$RESP" nodes | "$PYTHON" -c 'import json, sys; print(len(json.load(sys.stdin)))')
  [[ $nverify == "$NODES" ]] || die "(h) repository $repo verified on $nverify of $NODES nodes: $(cat "$RESP")"
  echo '{"indices": "pages", "include_global_state": false}' >"$CTL/snapshot.json"
  expect_http 200 PUT "/_snapshot/$repo/$snap?wait_for_completion=true" "$CTL/snapshot.json"
  expect_field "$RESP" snapshot.state SUCCESS "(h) snapshot"
  expect_field "$RESP" snapshot.shards.successful 3 "(h) snapshot"
  expect_field "$RESP" snapshot.shards.failed 0 "(h) snapshot"
  printf '{"indices": "pages", "rename_pattern": "^pages$", "rename_replacement": "%s", "include_global_state": false}\n' \
    "$target" >"$CTL/restore.json"
  expect_http 200 POST "/_snapshot/$repo/$snap/_restore?wait_for_completion=true" "$CTL/restore.json"
  expect_field "$RESP" snapshot.shards.successful 3 "(h) restore"
  expect_field "$RESP" snapshot.shards.failed 0 "(h) restore"
  wait_green "$target"
  expect_http 200 GET "/$target/_settings"
  expect_field "$RESP" "$target.settings.index.metaembed" true "(h) restored index"
  expect_count "$target" "(h) restored index"
  search_check "$target" restore
  expect_http 200 DELETE "/$target"
  verified "(h) fs snapshot of pages (3/3 shards, path.repo shared by the nodes), restored as $target (green, index.metaembed=true, _count=$ndocs): $SEARCH_SUMMARY; identical to the first search; $target deleted"
}

# (i) split pages (3 shards) into pages-split (6 shards); the source must be write-blocked.
# index.metaembed is not in the request: the split must copy it.
check_split() {
  local target=pages-split routing
  expect_http 200 GET "/_cluster/state/metadata/pages"
  routing=$(py get "$RESP" metadata.indices.pages.routing_num_shards)
  ((routing % 6 == 0)) || die "(i) pages has routing_num_shards $routing: cannot be split into 6 shards"
  echo '{"index.blocks.write": true}' >"$CTL/block.json"
  expect_http 200 PUT /pages/_settings "$CTL/block.json"
  echo '{"settings": {"index.number_of_shards": 6, "index.number_of_replicas": 1, "index.blocks.write": null}}' >"$CTL/split.json"
  expect_http 200 POST "/pages/_split/$target" "$CTL/split.json"
  expect_field "$RESP" acknowledged True "(i) _split"
  wait_green "$target"
  expect_http 200 GET "/$target/_settings"
  expect_field "$RESP" "$target.settings.index.number_of_shards" 6 "(i) split index"
  expect_field "$RESP" "$target.settings.index.metaembed" true "(i) split index (index.metaembed not copied by _split?)"
  expect_count "$target" "(i) split index"
  search_check "$target" split
  expect_http 200 DELETE "/$target"
  echo '{"index.blocks.write": null}' >"$CTL/unblock.json"
  expect_http 200 PUT /pages/_settings "$CTL/unblock.json"
  verified "(i) _split of write-blocked pages (3 shards, routing_num_shards $routing) into $target (6 shards, green; index.metaembed=true copied, not in the request; _count=$ndocs): $SEARCH_SUMMARY; identical to the first search; $target deleted, pages unblocked"
}

# ---------------------------------------------------------------- wait for green
wait_http_up() {
  local i deadline maxt
  maxt=$(bounded 180) || exit 1
  deadline=$((SECONDS + maxt))
  for ((i = 0; i < NODES; i++)); do
    while ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:${HTTP_PORTS[i]}/"; do
      check_nodes_alive
      ((SECONDS < deadline)) || die "node-$((i + 1)) HTTP port ${HTTP_PORTS[i]} not up after $((SECONDS))s"
      sleep 1
    done
    log "node-$((i + 1)) answers on http ${HTTP_PORTS[i]}"
  done
}
wait_http_up
t=$(bounded 90)
expect_http 200 GET "/_cluster/health?wait_for_status=green&wait_for_nodes=$NODES&timeout=${t}s"
status=$(py get "$RESP" status)
nnodes=$(py get "$RESP" number_of_nodes)
[[ $status == green && $nnodes == "$NODES" ]] || die "cluster health: status=$status nodes=$nnodes; $(cat "$RESP")"
STARTUP_SECONDS=$SECONDS
verified "3-node cluster ($OS_VERSION) is green with $nnodes nodes (t=${SECONDS}s)"

if [[ $SKIP_PLUGIN != 1 ]]; then
  expect_http 200 GET "/_cat/plugins?format=json&h=name,component"
  n=$(py plugins "$RESP" "$PLUGIN_NAME")
  [[ $n == "$NODES" ]] || die "plugin $PLUGIN_NAME loaded on $n of $NODES nodes: $(cat "$RESP")"
  verified "plugin $PLUGIN_NAME is loaded on all $NODES nodes (_cat/plugins)"

  # ------------------------------------------------------------ index + data
  cat >"$CTL/create-index.json" <<'EOF'
{"settings": {"index.metaembed": true, "number_of_shards": 3, "number_of_replicas": 1},
 "mappings": {"properties": {
   "page": {"type": "metaembed_vector", "dims": 8, "max_vectors": 8, "similarity": "dot_product", "storage": "float32"},
   "lang": {"type": "keyword"},
   "title": {"type": "text"}}}}
EOF
  expect_http 200 PUT /pages "$CTL/create-index.json"
  verified "PUT /pages with index.metaembed=true and a metaembed_vector mapping"
  t=$(bounded 60)
  expect_http 200 GET "/_cluster/health/pages?wait_for_status=green&timeout=${t}s"
  [[ $(py get "$RESP" status) == green ]] || die "index pages not green: $(cat "$RESP")"

  expect_http 200 GET /pages/_mapping
  grep -q '"metaembed_vector"' "$RESP" || die "GET /pages/_mapping lacks metaembed_vector: $(cat "$RESP")"
  grep -q '"max_vectors"' "$RESP" || die "GET /pages/_mapping lacks max_vectors: $(cat "$RESP")"
  verified "(d) GET /pages/_mapping contains metaembed_vector and max_vectors"

  # two bulk requests with a _refresh after each: every shard has (at least) two segments,
  # so the searches before (g) merge results across segments and (g) has something to merge
  read -r ndocs nen < <(py bulk "$CTL/bulk")
  items=0
  for part in 1 2; do
    expect_http 200 POST "/_bulk" "$CTL/bulk-$part.ndjson" application/x-ndjson
    read -r berr bitems bbad < <(py bulk-errors "$RESP")
    [[ $berr == false && $bbad == 0 ]] || die "bulk $part: errors=$berr items=$bitems failed=$bbad"
    items=$((items + bitems))
    expect_http 200 POST /pages/_refresh
  done
  [[ $items == "$ndocs" ]] || die "bulk: $items items for $ndocs documents"
  expect_count pages "after _bulk"
  verified "_bulk indexed $ndocs documents in 2 requests, _refresh after each ($nen with lang=en, 1-8 unit vectors each; query of 4 vectors at budget (2,4)), _count=$ndocs"

  # ------------------------------------------------------------ query
  py query "$CTL/query.json"
  search_check pages 1
  verified "(a)+(b) late_interaction search: $SEARCH_SUMMARY; all lang=en; ids and scores match brute force"

  # ------------------------------------------------------------ bad document
  py bad-doc "$CTL/bad-doc.json"
  code=$(http PUT "/pages/_doc/bad-dims?refresh=true" "$CTL/bad-doc.json")
  if [[ $code != 400 ]]; then
    log "PUT /pages/_doc/bad-dims (7 floats) -> HTTP $code; body: $(head -c 3000 "$RESP")"
    die "(c) a 7-dim vector must be rejected with HTTP 400"
  fi
  cp "$RESP" "$CTL/bad-doc-response.json"
  reasons=$(py error-reasons "$CTL/bad-doc-response.json")
  grep -Eq "\[page\]|'page'|\"page\"|field page\b" <<<"$reasons" \
    || die "(c) 400 error reasons do not name the field 'page': $(cat "$CTL/bad-doc-response.json")"
  expect_http 200 GET /pages/_count
  [[ $(py get "$RESP" count) == "$ndocs" ]] || die "(c) rejected document changed the count: $(cat "$RESP")"
  verified "(c) 7-dim vector rejected with HTTP 400 naming 'page': $(tr '\n' '|' <<<"$reasons" | head -c 400)"

  # ------------------------------------------------------------ index lifecycle
  check_primary_replica
  check_close_open
  check_forcemerge
  check_snapshot_restore
  check_split
  check_readme_example
  check_text_search
fi

# ---------------------------------------------------------------- kill a node
# (j) last: after it the cluster has 2 nodes and pages stays yellow
expect_http 200 GET "/_cat/nodes?format=json&h=name,cluster_manager"
manager=$(py nodes "$RESP" | awk '$2 == "*" {print $1}')
[[ -n $manager ]] || die "no cluster manager in _cat/nodes: $(cat "$RESP")"
victim="" victim_name="" victim_pri="" victim_copies=""
if [[ $SKIP_PLUGIN != 1 ]]; then
  # prefer the non-manager node holding the most primaries of pages: its loss forces
  # replica promotion
  expect_http 200 GET "/_cat/shards/pages?format=json&h=shard,prirep,state,node"
  cp "$RESP" "$CTL/shards-before-kill.json"
  read -r victim_name victim_pri victim_copies < <(py pick-victim "$RESP" "$manager") || true
  if [[ -n $victim_name ]]; then victim=${victim_name#node-}; fi
  log "pages shards before kill: $(py shard-table "$RESP")"
fi
if [[ -z $victim ]]; then
  for ((i = NODES; i >= 1; i--)); do
    if [[ node-$i != "$manager" ]]; then victim=$i; break; fi
  done
fi
mi=${manager#node-}
HTTP_PORT=${HTTP_PORTS[mi - 1]}   # talk to the cluster manager from now on
log "cluster manager: $manager; killing node-$victim (kill -9, pid ${NODE_PIDS[victim - 1]})${victim_copies:+; it holds $victim_copies copies of pages, $victim_pri primaries}"
kill -KILL -- "-${NODE_PIDS[victim - 1]}"
wait "${NODE_PIDS[victim - 1]}" 2>/dev/null || true
NODE_ALIVE[victim - 1]=0
t=$(bounded 90)
expect_http 200 GET "/_cluster/health?wait_for_nodes=$((NODES - 1))&wait_for_status=yellow&timeout=${t}s"
status=$(py get "$RESP" status)
nnodes=$(py get "$RESP" number_of_nodes)
timed_out=$(py get "$RESP" timed_out)
[[ $timed_out == False && $nnodes == $((NODES - 1)) && ($status == yellow || $status == green) ]] \
  || die "after kill: status=$status nodes=$nnodes timed_out=$timed_out"
check_nodes_alive
verified "after kill -9 of node-$victim: $nnodes nodes, status $status (t=${SECONDS}s)"

if [[ $SKIP_PLUGIN != 1 ]]; then
  expect_http 200 GET "/_cluster/health/pages"
  [[ $(py get "$RESP" status) != red && $(py get "$RESP" active_primary_shards) == 3 ]] \
    || die "index pages lost primaries: $(cat "$RESP")"
  search_check pages node-loss
  verified "(j) same query after kill -9 of node-$victim (had ${victim_pri:-?} primaries): $SEARCH_SUMMARY; identical to the first search"
else
  expect_http 200 GET "/_cluster/health?wait_for_status=yellow&timeout=5s"
fi

# ---------------------------------------------------------------- summary
echo >&2
if [[ $SKIP_PLUGIN == 1 ]]; then
  log "SUMMARY: SKIPPED: no plugin installed, no metaembed check ran (METAEMBED_CLUSTER_SKIP_PLUGIN=1);" \
    "the cluster checks below passed; cluster green after ${STARTUP_SECONDS}s, total ${SECONDS}s"
else
  log "SUMMARY: all checks passed; cluster green after ${STARTUP_SECONDS}s, total ${SECONDS}s"
fi
for v in "${VERIFIED[@]}"; do log "  - $v"; done
