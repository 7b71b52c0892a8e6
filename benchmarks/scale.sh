#!/usr/bin/env bash
# The cost curve over corpus size (docs/BENCHMARKS.md, section 6): ./metaembed bench e2e on INT8
# data at 10k, 30k, 100k and 1M documents (100 documents per cluster at every size; recall
# against exact MaxSim on the same int8 index), each run in a 2 GB heap with a GC log, then a
# table (scale_table.py) and a chart (./metaembed bench chart).
#
#   benchmarks/scale.sh <work folder> [sizes]      e.g. benchmarks/scale.sh /tmp/scale 10000,30000
#
# Disk: about 9.3 GB per million documents. The 1M point takes about 45 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:?usage: benchmarks/scale.sh <work folder> [sizes]}"
SIZES="${2:-10000,30000,100000,1000000}"
mkdir -p "$WORK"
"$ROOT/metaembed" bench e2e --help > /dev/null # builds the benchmarks once
JAVA="${JAVA_HOME:?the launcher sets it; run with JAVA_HOME of a JDK 21+}/bin/java"
CP="$ROOT/benchmarks/target/benchmarks.jar:$ROOT/benchmarks/target/lib/*"
reports=()
for docs in ${SIZES//,/ }; do
  queries=$((docs >= 1000000 ? 20 : 100)) # exact ground truth over 1M documents is slow
  "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g \
    -Xlog:gc:file="$WORK/gc-$docs.log" -cp "$CP" dev.metaembed.bench.EndToEndBench \
    --docs "$docs" --clusters $((docs / 100)) --storages int8 --truth int8 \
    --budgets 1x1,2x4,4x8,8x16,16x64 --prune 2x4:80 --queries "$queries" --warmup 20 \
    --skip-lucene --ram-mb 1024 --dir "$WORK/idx-$docs" --json "$WORK/run-$docs.json" \
    > "$WORK/run-$docs.md" 2> "$WORK/run-$docs.log"
  reports+=("$WORK/run-$docs.json")
done
python3 "$ROOT/benchmarks/scale_table.py" "$WORK" "${reports[@]}"
"$JAVA" -cp "$CP" dev.metaembed.bench.ScaleChart "$WORK/scale-int8.png" int8 "${reports[@]}"
