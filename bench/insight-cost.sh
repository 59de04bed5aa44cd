#!/usr/bin/env bash
# What seeing inside a run costs a trivial job: the demo job (1,000 rows) through two services
# side by side, one with the defaults (Sparkgate's plugin, the driver's UI, an event log), one with
# all three off; the runs take turns, after one uncounted round each. Prints, per service, the
# median, min and max of a run's createdAt to finishedAt and of its driver's startedAt to finishedAt.
#   bench/insight-cost.sh [RUNS]     (default 5; INSIGHT_BUILD=0 uses the jars as built)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
[[ ${INSIGHT_BUILD:-1} == 0 ]] || ./mvnw -B -q -DskipTests package
token="bench-$RANDOM-$RANDOM-$RANDOM"
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
jar="$(pwd)/spark-jobs/target/spark-jobs.jar"
results="$(mktemp -d)"
pids=()
works=("$results")
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; rm -rf "${works[@]}"' EXIT

start() { # port, extra args...
  local port=$1 work
  shift
  work="$(mktemp -d)"
  works+=("$work")
  java -jar control-plane/target/control-plane.jar --server.port="$port" --sparkgate.work-dir="$work" \
    --sparkgate.catalog.bootstrap-dir=none \
    --sparkgate.security.tokens[0].name=bench --sparkgate.security.tokens[0].role=admin \
    --sparkgate.security.tokens[0].sha256="$hash" "$@" > "$work/service.log" 2>&1 &
  pids+=($!)
}
start 18091
start 18092 --sparkgate.spark.progress=false --sparkgate.spark.ui=false \
  --sparkgate.history.event-log-dir=none
for port in 18091 18092; do
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null && break
    sleep 1
  done
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -X PUT "http://127.0.0.1:$port/api/v1/jobs/demo" -d '{"type": "jvm", "appResource": "'"$jar"'",
      "mainClass": "io.sparkgate.jobs.demo.DemoJob", "args": ["--date", "2024-03-15"]}'
done

run() { # port: runs the demo job once and prints "created-to-finished started-to-finished"
  local id
  id="$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -X POST "http://127.0.0.1:$1/api/v1/runs" -d '{"job": "demo"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["runId"])')"
  while :; do
    out="$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/v1/runs/$id" |
      python3 -c '
import json, sys
from datetime import datetime
r = json.load(sys.stdin)
if r["state"] in ("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"):
    t = lambda k: datetime.fromisoformat(r[k].replace("Z", "+00:00")).timestamp()
    assert r["state"] == "SUCCEEDED", r["stateReason"]
    end = t("finishedAt")
    print("%.3f %.3f" % (end - t("createdAt"), end - t("startedAt")))
')"
    [[ -n $out ]] && break
    sleep 0.1
  done
  echo "$out"
}

run 18091 > /dev/null
run 18092 > /dev/null
: > "$results/on.txt"
: > "$results/off.txt"
for _ in $(seq 1 "$runs"); do
  run 18091 >> "$results/on.txt"
  run 18092 >> "$results/off.txt"
done
python3 - "$runs" "$results" <<'PY'
import statistics, sys
print(f"| service ({sys.argv[1]} runs each, taking turns) | created to finished: median s | min | max | driver running to finished: median s | min | max |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name, path in (("plugin, UI and event log (the defaults)", sys.argv[2] + "/on.txt"),
                   ("all three off", sys.argv[2] + "/off.txt")):
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    a = [r[0] for r in rows]; b = [r[1] for r in rows]
    print(f"| {name} | {statistics.median(a):.2f} | {min(a):.2f} | {max(a):.2f} | {statistics.median(b):.2f} | {min(b):.2f} | {max(b):.2f} |")
PY
