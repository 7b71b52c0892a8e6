#!/usr/bin/env bash
# The cost curve over corpus size (docs/BENCHMARKS.md, section 6): ./metaembed bench e2e on one
# storage (default int8) at 10k, 30k, 100k and 1M documents (100 documents per cluster at every
# size; recall against exact MaxSim on the same index), each run in a 2 GB heap with a GC log,
# then a table (scale_table.py) and a chart (./metaembed bench chart).
#
#   benchmarks/scale.sh <work folder> [sizes] [storage] [lucene]
#     e.g. benchmarks/scale.sh /tmp/scale 10000,30000            int8, ours only
#          benchmarks/scale.sh /tmp/scale-bit 1000000 bit
#          benchmarks/scale.sh /tmp/scale-f32 10000,100000 float32 lucene   + Lucene's RescoreTopN
#
# Files are named after size and storage (run-int8-10000.json, idx-int8-10000, gc-int8-10000.log).
# Disk per million documents: int8 9.3 GB, bit 1.9 GB, float32 34 GB (twice that with lucene).
# The int8 1M point takes about 45 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:?usage: benchmarks/scale.sh <work folder> [sizes]}"
SIZES="${2:-10000,30000,100000,1000000}"
STORAGE="${3:-int8}"
LUCENE="${4:-}"
case "$LUCENE" in
  "") SKIP_LUCENE=--skip-lucene ;;
  lucene) SKIP_LUCENE= ;;
  *) echo "4th argument: 'lucene' or nothing" >&2; exit 2 ;;
esac
mkdir -p "$WORK"
"$ROOT/metaembed" bench e2e --help > /dev/null # builds the benchmarks once
JAVA="${JAVA_HOME:?the launcher sets it; run with JAVA_HOME of a JDK 21+}/bin/java"
CP="$ROOT/benchmarks/target/benchmarks.jar:$ROOT/benchmarks/target/lib/*"
reports=()
for docs in ${SIZES//,/ }; do
  name="$STORAGE-$docs"
  queries=$((docs >= 1000000 ? 20 : 100)) # exact ground truth over 1M documents is slow
  "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g \
    -Xlog:gc:file="$WORK/gc-$name.log" -cp "$CP" dev.metaembed.bench.EndToEndBench \
    --docs "$docs" --clusters $((docs / 100)) --storages "$STORAGE" --truth "$STORAGE" \
    --budgets 1x1,2x4,4x8,8x16,16x64 --prune 2x4:80 --queries "$queries" --warmup 20 \
    $SKIP_LUCENE --ram-mb 1024 \
    --dir "$WORK/idx-$name" --json "$WORK/run-$name.json" \
    > "$WORK/run-$name.md" 2> "$WORK/run-$name.log"
  reports+=("$WORK/run-$name.json")
done
python3 "$ROOT/benchmarks/scale_table.py" "$WORK" "${reports[@]}"
"$JAVA" -cp "$CP" dev.metaembed.bench.ScaleChart "$WORK/scale-$STORAGE.png" "$STORAGE" "${reports[@]}"
