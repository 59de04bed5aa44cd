#!/usr/bin/env bash
# Where a request's CPU time goes: a flame graph of the service answering GET /api/v1/runs/{id}
# at 64 connections (wrk, 2 threads) on the database of bench/lib/runs-db.sh (1,000,000 runs),
# sampled by async-profiler (from Maven Central, attached for the measured seconds only, after a
# warm-up), rendered as SVG by bench/flamegraph.py.
#
# (jcmd takes the agent's options quoted: unquoted, it reads their "=" as its own.)
#   bench/profile-api.sh [JAR] [SVG]   # defaults: control-plane/target/control-plane.jar,
#                                      # docs/flamegraphs/get-run.svg
#
# Settings: PROFILE_DURATION (20s), PROFILE_WARMUP (60s: the JIT's time to reach steady state),
# PROFILE_INTERVAL (5ms of CPU between samples), PROFILE_EVENT (cpu; itimer where perf events are not allowed),
# PROFILE_URL (a path to profile instead, e.g. /actuator/health/liveness), BENCH_* (the lib's).
set -euo pipefail
cd "$(dirname "$0")/.."

jar="${1:-control-plane/target/control-plane.jar}"
svg="${2:-docs/flamegraphs/get-run.svg}"
duration="${PROFILE_DURATION:-20s}"
event="${PROFILE_EVENT:-cpu}"
out="$(realpath -m "${PROFILE_OUT:-target/profile}")"
port="${PROFILE_PORT:-18096}"
ap_version=4.1
[[ -f $jar ]] || { echo "profile-api: no $jar; build it: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v wrk > /dev/null || { echo "profile-api: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$out" "$(dirname "$svg")"
source bench/lib/runs-db.sh
trap bench_cleanup EXIT

ap_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version.jar"
[[ -f $ap_jar ]] || ./mvnw -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ap_version" \
  -Dtransitive=false
unzip -o -q -d "$bench_work/ap" "$ap_jar" 'linux-x64/*'
agent="$bench_work/ap/linux-x64/libasyncProfiler.so"

bench_db_prepare
bench_service_start
bench_seed

run="$(sql -c "select id from run where state = 'SUCCEEDED' order by created_at desc limit 1")"
url="http://127.0.0.1:$port${PROFILE_URL:-/api/v1/runs/$run}"
auth="Authorization: Bearer $bench_token"
curl -sf -o /dev/null -H "$auth" "$url"
wrk -t2 -c64 -d"${PROFILE_WARMUP:-60s}" -H "$auth" "$url" > /dev/null
jcmd "$bench_service" JVMTI.agent_load "$agent" "\"start,event=$event,interval=${PROFILE_INTERVAL:-5ms}\"" > /dev/null
wrk -t2 -c64 -d"$duration" --latency -H "$auth" "$url" | tee "$out/wrk.txt"
jcmd "$bench_service" JVMTI.agent_load "$agent" "\"stop,collapsed,file=$out/stacks.txt\"" > /dev/null
rps="$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$out/wrk.txt")"
python3 bench/flamegraph.py "$out/stacks.txt" \
  "GET ${PROFILE_URL:-/api/v1/runs/{id\}}, 64 connections, $rps req/s, $(date -u +%F) $(git rev-parse --short HEAD)" \
  > "$svg"
echo "Flame graph in $svg"
