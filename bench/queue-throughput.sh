#!/usr/bin/env bash
# Queue throughput of two instances on one database, simulated backend (no Spark).
#   bench/queue-throughput.sh [RUNS] [LATENCY_RUNS]     (defaults 10000 and 200)
# Instance a starts the embedded PostgreSQL on port 15433; instance b uses it as an external one.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10000}"
latency_runs="${2:-200}"
work="$(mktemp -d)"
db_port=15433
./mvnw -B -q -DskipTests package
./mvnw -B -q -pl control-plane dependency:build-classpath -Dmdep.includeArtifactIds=postgresql \
  -Dmdep.outputFile="$work/pg.cp"
SPARKGATE_TOKEN="bench-$RANDOM-$RANDOM-$RANDOM"
export SPARKGATE_TOKEN
hash="$(printf '%s' "$SPARKGATE_TOKEN" | sha256sum | cut -d' ' -f1)"
common=(--sparkgate.security.tokens[0].name=bench --sparkgate.security.tokens[0].role=admin
        --sparkgate.security.tokens[0].sha256="$hash"
        --sparkgate.catalog.artifact-locations=/opt --sparkgate.spark.backend=simulated --sparkgate.spark.simulated-run-duration=0s
        --sparkgate.runs.max-concurrent=50 --sparkgate.supervision.poll-interval=100ms
        --logging.level.io.sparkgate=WARN)
java -Xmx512m -jar control-plane/target/control-plane.jar --server.port=18091 \
  --sparkgate.instance-id=bench-a --sparkgate.work-dir="$work/a" \
  --sparkgate.embedded-db.port=$db_port "${common[@]}" > "$work/a.log" 2>&1 &
pid_a=$!
trap 'kill $pid_a ${pid_b:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
until java scripts/Ready.java http://127.0.0.1:18091/actuator/health/readiness 2>/dev/null; do sleep 1; done
# Instance a's database and role; the password goes in the environment, not on a command line.
SPRING_DATASOURCE_PASSWORD="$(cat "$work/a/postgres.password")"
export SPRING_DATASOURCE_PASSWORD
java -Xmx512m -jar control-plane/target/control-plane.jar --server.port=18092 \
  --sparkgate.instance-id=bench-b --sparkgate.work-dir="$work/b" \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:$db_port/sparkgate" \
  --spring.datasource.username=sparkgate "${common[@]}" > "$work/b.log" 2>&1 &
pid_b=$!
until java scripts/Ready.java http://127.0.0.1:18092/actuator/health/readiness 2>/dev/null; do sleep 1; done
java -cp "$(cat "$work/pg.cp")" bench/QueueBench.java "jdbc:postgresql://127.0.0.1:$db_port/sparkgate" \
  http://127.0.0.1:18091 http://127.0.0.1:18092 "$work/a" "$work/b" "$runs" "$latency_runs"
