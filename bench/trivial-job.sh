#!/usr/bin/env bash
# Compares a trivial Spark job run by bin/spark-submit with the same job run through Sparkgate.
# Starts its own service instance (fresh work directory, port 18090) and stops it afterwards.
#   bench/trivial-job.sh [RUNS]      (default 5)
# TRIVIAL_JOB_WARMUP=N sends N requests to the service after the first round, before the counted
# ones; TRIVIAL_JOB_BUILD=0 uses the jars as built.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
port=18090
work="$(mktemp -d)"
[[ ${TRIVIAL_JOB_BUILD:-1} == 0 ]] || ./mvnw -B -q -DskipTests package
SPARKGATE_TOKEN="bench-$RANDOM-$RANDOM-$RANDOM"
export SPARKGATE_TOKEN
hash="$(printf '%s' "$SPARKGATE_TOKEN" | sha256sum | cut -d' ' -f1)"
java -jar control-plane/target/control-plane.jar --server.port=$port --sparkgate.work-dir="$work" \
  --sparkgate.security.tokens[0].name=bench --sparkgate.security.tokens[0].role=admin \
  --sparkgate.security.tokens[0].sha256="$hash" \
  > "$work/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  java scripts/Ready.java "http://127.0.0.1:$port/actuator/health/readiness" 2>/dev/null && break
  sleep 1
done
java -cp "$(ls spark-jobs/target/spark-home/jars/spark-launcher_*.jar)" bench/TrivialJobBench.java "http://127.0.0.1:$port" spark-jobs/target/spark-home \
  spark-jobs/target/spark-jobs.jar "$runs" "$pid"
