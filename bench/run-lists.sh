#!/usr/bin/env bash
# Latency of GET /api/v1/runs with 1,000,000 runs stored: p50, p99 and requests per second of each
# filter shape, measured with wrk at 4 connections (2 threads) for 10 s after a 3 s warm-up.
#
#   bench/run-lists.sh [JAR]          # default: control-plane/target/control-plane.jar
#
# The database and the service are bench/lib/runs-db.sh's (1,000,000 runs, simulated backend):
# run the old jar first, then the new one on the same database. Every shape is warmed up for 2 s
# in a first pass (longer with fewer shapes: a minute in all), then for LISTS_WARMUP right before
# it is measured.
#
# LISTS_EXPLAIN=1 also writes the plan of every statement the service runs while it answers each
# shape once, and of its supervision loop, with EXPLAIN (ANALYZE, BUFFERS) through auto_explain:
# the plans land in the server log and are copied to $LISTS_OUT/plans.log (default target/lists).
# LISTS_ONLY=REGEX measures only the shapes whose name matches it (LISTS_ONLY=label: those with
# labels). Other settings: LISTS_DURATION (10s), LISTS_WARMUP (3s), LISTS_CONNECTIONS (4),
# LISTS_PORT, and the lib's BENCH_DB, BENCH_RUNS, BENCH_FRESH (LISTS_DB, LISTS_RUNS, LISTS_FRESH
# still work).
set -euo pipefail
cd "$(dirname "$0")/.."

jar="${1:-control-plane/target/control-plane.jar}"
duration="${LISTS_DURATION:-10s}"
warmup="${LISTS_WARMUP:-3s}"
connections="${LISTS_CONNECTIONS:-4}"
out="${LISTS_OUT:-target/lists}"
port="${LISTS_PORT:-18093}"
pg_log=/var/log/postgresql/postgresql-15-main.log
[[ -f $jar ]] || { echo "run-lists: no $jar; build it: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v wrk > /dev/null || { echo "run-lists: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$out"
source bench/lib/runs-db.sh
trap bench_cleanup EXIT
token="$bench_token"
db="$bench_db"

bench_db_prepare
bench_service_start
bench_seed

# A cursor as the service encodes it (PageCursor): base64url of "<epoch s>.<nanos>:<id>".
cursor_at() { # WHERE-clause, offset
  local row
  row="$(sql -F ' ' -c "select (extract(epoch from created_at) * 1000000)::bigint, id from run
                        where true $1 order by created_at desc, id desc offset $2 limit 1")"
  local micros="${row%% *}" id="${row##* }"
  printf '%s.%s:%s' "$((micros / 1000000))" "$(( (micros % 1000000) * 1000 ))" "$id" |
    base64 -w0 | tr '+/' '-_' | tr -d '='
}
team0="and labels @> '{\"team\": \"team-0\"}'"
failed="and state = 'FAILED'"
timed_out="and state = 'TIMED_OUT'"
job="and job_name = 'risk-report'"

# name | query string
shapes=(
  "newest first|"
  "newest first, limit 500|limit=500"
  "newest first, 200 pages in|cursor=$(cursor_at "" 9999)"
  "job|job=risk-report"
  "job, 200 pages in|job=risk-report&cursor=$(cursor_at "$job" 9999)"
  "state SUCCEEDED (90 %)|state=SUCCEEDED"
  "state FAILED (7 %)|state=FAILED"
  "state FAILED, 200 pages in|state=FAILED&cursor=$(cursor_at "$failed" 9999)"
  "state CANCELLED (2.5 %)|state=CANCELLED"
  "state TIMED_OUT (0.5 %)|state=TIMED_OUT"
  "state TIMED_OUT, last page|state=TIMED_OUT&cursor=$(cursor_at "$timed_out" 4989)"
  "state QUEUED (~470)|state=QUEUED"
  "state RUNNING (~230)|state=RUNNING"
  "state LAUNCHING (~40)|state=LAUNCHING"
  "states RUNNING,QUEUED|state=RUNNING,QUEUED"
  "states FAILED,TIMED_OUT|state=FAILED,TIMED_OUT"
  "states CANCELLED,TIMED_OUT|state=CANCELLED,TIMED_OUT"
  "label team-0 (5 %)|label=team=team-0"
  "label dag-7 (2.5 %)|label=dag=dag-7"
  "label team-0, 200 pages in|label=team=team-0&cursor=$(cursor_at "$team0" 9999)"
  "labels team-2 + dag-7|label=team=team-2&label=dag=dag-7"
  "label matching nothing|label=team=nobody"
  "label team-0 + SUCCEEDED|label=team=team-0&state=SUCCEEDED"
  "label team-0 + FAILED|label=team=team-0&state=FAILED"
  "label team-0 + TIMED_OUT|label=team=team-0&state=TIMED_OUT"
  "label dag-7 + TIMED_OUT|label=dag=dag-7&state=TIMED_OUT"
  "label dag-7 + CANCELLED|label=dag=dag-7&state=CANCELLED"
  "label team-7 + QUEUED|label=team=team-7&state=QUEUED"
  "label team-0 + RUNNING|label=team=team-0&state=RUNNING"
  "job + FAILED|job=risk-report&state=FAILED"
  "job + TIMED_OUT|job=risk-report&state=TIMED_OUT"
  "job + QUEUED|job=risk-report&state=QUEUED"
  "job + RUNNING|job=risk-report&state=RUNNING"
  "job + label team-0 + FAILED|job=risk-report&label=team=team-0&state=FAILED"
  "job + label dag-7 + TIMED_OUT|job=risk-report&label=dag=dag-7&state=TIMED_OUT"
)

if [[ -n ${LISTS_ONLY:-} ]]; then # only the shapes whose name matches this regular expression
  kept=()
  for shape in "${shapes[@]}"; do
    [[ ${shape%%|*} =~ $LISTS_ONLY ]] && kept+=("$shape")
  done
  shapes=("${kept[@]}")
fi

url() { echo "http://127.0.0.1:$port/api/v1/runs${1:+?$1}"; }

if [[ ${LISTS_EXPLAIN:-0} == 1 ]]; then
  bench_service_stop
  as_postgres << SQL
alter database $db set session_preload_libraries = 'auto_explain';
alter database $db set auto_explain.log_min_duration = 0;
alter database $db set auto_explain.log_analyze = on;
alter database $db set auto_explain.log_buffers = on;
SQL
  from_line=$(( $(wc -l < "$pg_log") + 1 ))
  bench_service_start
  for shape in "${shapes[@]}"; do
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$(url "${shape#*|}")"
  done
  for shape in "${shapes[@]}"; do
    # A marker in the log: the plans after it, up to the next, are this shape's.
    sql -c "select 'shape: ${shape%%|*}: ${shape#*|}'" > /dev/null
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$(url "${shape#*|}")"
  done
  sleep 3 # a few supervision passes and a metrics refresh
  tail -n +"$from_line" "$pg_log" |
    awk -v who="sparkgate_bench@$db" '/^20[0-9][0-9]-/ { keep = index($0, who) > 0 } keep' > "$out/plans.log"
  bench_service_stop
  echo "alter database $db reset all" | as_postgres
  echo "Plans of $(grep -c 'duration:' "$out/plans.log") statements in $out/plans.log"
  bench_service_start
fi

# Every shape answers, and the JIT has seen them all before anything is measured: a minute of load
# in all (on two cores the JIT needs about that), at least 2 s per shape.
first_pass=$(( (60 + ${#shapes[@]} - 1) / ${#shapes[@]} ))
((first_pass >= 2)) || first_pass=2
for shape in "${shapes[@]}"; do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "$(url "${shape#*|}")" ||
    { echo "run-lists: ${shape%%|*} failed" >&2; exit 1; }
  wrk -t2 -c"$connections" -d"${first_pass}s" -H "Authorization: Bearer $token" "$(url "${shape#*|}")" > /dev/null
done
echo
echo "$(date -u '+%F %H:%M') UTC, $jar, $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| shape | p50 ms | p99 ms | req/s | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
for shape in "${shapes[@]}"; do
  target="$(url "${shape#*|}")"
  wrk -t2 -c"$connections" -d"$warmup" -H "Authorization: Bearer $token" "$target" > /dev/null
  result="$(wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $token" "$target")"
  p50="$(awk '$1 == "50%" { print $2 }' <<< "$result")"
  p99="$(awk '$1 == "99%" { print $2 }' <<< "$result")"
  rps="$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' <<< "$result")"
  errors="$(awk '/Non-2xx/ { print $NF }' <<< "$result")"
  echo "| ${shape%%|*} | $(ms "$p50") | $(ms "$p99") | $rps | ${errors:-0} |"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
