#!/usr/bin/env bash
# Benchmark of curate + adjust + analytics over a large generated history, in local mode.
#   bench/pipeline.sh [SYMBOLS] [YEARS]       (defaults 5000 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
symbols="${1:-5000}"
years="${2:-5}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
./mvnw -B -q -DskipTests package -pl spark-jobs
spark-jobs/target/spark-home/bin/spark-submit --master 'local[2]' --driver-memory 6g \
  --conf spark.sql.shuffle.partitions=16 --conf spark.sql.adaptive.enabled=true \
  --class io.sparkgate.jobs.bench.PipelineBench spark-jobs/target/spark-jobs.jar \
  --symbols "$symbols" --years "$years" --dir "$dir" 2> "$dir/bench.log" | grep '^|'
