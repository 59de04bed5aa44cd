#!/usr/bin/env bash
# Builds Sparkgate, starts the control plane (embedded PostgreSQL, local Spark runtime) and runs
# the demo Spark job end to end through the REST API. Needs only Java 17 and network access to
# Maven Central for the first build.
#
#   ./demo.sh            build, start the service (left running), run the demo job
#   ./demo.sh --stop     the same, then stop the service
#   ./demo.sh --pipeline [--stop]     run the six-stage market-data pipeline instead
#   DEMO_DATE=2024-01-02 ./demo.sh    another business date
set -euo pipefail
cd "$(dirname "$0")"

port="${SERVER_PORT:-8080}"
base="http://127.0.0.1:${port}"
work="${SPARKGATE_WORK_DIR:-.sparkgate}"
export SPARKGATE_WORK_DIR="$work"
mkdir -p "$work"

echo "==> Building (./mvnw package, tests skipped)"
./mvnw -B -q -DskipTests package

ready() { java scripts/Ready.java "$base/actuator/health/readiness" >/dev/null 2>&1; }

started_here=""
if ready; then
  echo "==> A Sparkgate service is already answering on $base: using it"
else
  echo "==> Starting the control plane on $base (log: $work/service.log)"
  # control-plane/run.sh: java -jar from the extracted layout with a class data sharing archive,
  # which it makes once per build (about 18 s more on a first start).
  nohup control-plane/run.sh --server.port="$port" \
    > "$work/service.log" 2>&1 &
  pid=$!
  echo "$pid" > "$work/service.pid"
  started_here=yes
  for _ in $(seq 1 120); do
    if ready; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "The service exited; see $work/service.log" >&2
      tail -n 30 "$work/service.log" >&2
      exit 1
    fi
    sleep 1
  done
  ready || { echo "The service did not become ready; see $work/service.log" >&2; exit 1; }
  echo "    ready (pid $pid)"
fi

# With no tokens configured the service keeps an admin token in its work directory.
if [ -z "${SPARKGATE_TOKEN:-}" ] && [ -f "$work/admin.token" ]; then
  SPARKGATE_TOKEN="$(cat "$work/admin.token")"
  export SPARKGATE_TOKEN
fi

status=0
if [[ " $* " == *" --pipeline "* ]]; then
  echo "==> Running the market-data pipeline for ${DEMO_DATE:-2024-03-15} through the API"
  java scripts/PipelineClient.java "$base" "${DEMO_DATE:-2024-03-15}" || status=$?
else
  echo "==> Running the demo job through the API"
  java scripts/DemoClient.java "$base" spark-jobs/target/spark-jobs.jar "${DEMO_DATE:-2024-03-15}" || status=$?
fi

if [[ " $* " == *" --stop "* ]] && [ -n "$started_here" ]; then
  echo "==> Stopping the service"
  kill "$(cat "$work/service.pid")"
  while kill -0 "$(cat "$work/service.pid")" 2>/dev/null; do sleep 0.5; done
  rm -f "$work/service.pid"
else
  echo
  echo "The service keeps running: Swagger UI at $base/swagger-ui.html"
  [ -n "$started_here" ] && echo "Stop it with: kill \$(cat $work/service.pid)"
fi
exit "$status"
