#!/usr/bin/env bash
# Latency of GET /api/v1/runs with 1,000,000 runs stored: p50, p99 and requests per second of each
# filter shape, measured with wrk at 4 connections (2 threads) for 10 s after a 3 s warm-up.
#
#   bench/run-lists.sh [JAR]          # default: control-plane/target/control-plane.jar
#
# The database is LISTS_DB (default sparkgate_lists) on the local PostgreSQL cluster at
# 127.0.0.1:5432 (Debian's: pg_ctlcluster 15 main start), owned by the role sparkgate_bench; the
# script creates both, run as root (it uses `su postgres` for that). The service's Flyway migrates
# the schema, then bench/seed-runs.sql fills it with LISTS_RUNS runs (default 1,000,000, about
# 80 s) unless it holds them already. So one database serves the code before and after a change:
# run the old jar first (a database migrated by newer code is refused by older code; LISTS_FRESH=1
# starts over).
#
# The service runs with the simulated Spark backend and a static admin token, as fuzz/run.sh does,
# and talks to the database without TLS (on loopback it would only add encryption to both sides
# of the comparison); while it runs, a loop keeps the instance bench-peer (owner of the seeded live
# runs) heartbeating. Every shape is warmed up for 2 s in a first pass, then for LISTS_WARMUP
# right before it is measured.
#
# LISTS_EXPLAIN=1 also writes the plan of every statement the service runs while it answers each
# shape once, and of its supervision loop, with EXPLAIN (ANALYZE, BUFFERS) through auto_explain:
# the plans land in the server log and are copied to $LISTS_OUT/plans.log (default target/lists).
# Other settings: LISTS_DURATION (10s), LISTS_WARMUP (3s), LISTS_CONNECTIONS (4), LISTS_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."

jar="${1:-control-plane/target/control-plane.jar}"
db="${LISTS_DB:-sparkgate_lists}"
runs="${LISTS_RUNS:-1000000}"
duration="${LISTS_DURATION:-10s}"
warmup="${LISTS_WARMUP:-3s}"
connections="${LISTS_CONNECTIONS:-4}"
out="${LISTS_OUT:-target/lists}"
port="${LISTS_PORT:-18093}"
password=sparkgate-bench
pg_log=/var/log/postgresql/postgresql-15-main.log
[[ -f $jar ]] || { echo "run-lists: no $jar; build it: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v wrk > /dev/null || { echo "run-lists: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$out"

as_postgres() { su postgres -c 'psql -X -q -At -v ON_ERROR_STOP=1'; } # SQL on stdin
sql() { PGPASSWORD=$password psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U sparkgate_bench "$db" "$@"; }

if [[ ${LISTS_FRESH:-0} == 1 ]]; then
  echo "drop database if exists $db" | as_postgres
fi
as_postgres << SQL
do \$\$ begin create role sparkgate_bench login password '$password';
exception when duplicate_object then null; end \$\$;
SQL
if [[ -z $(echo "select 1 from pg_database where datname = '$db'" | as_postgres) ]]; then
  echo "create database $db owner sparkgate_bench" | as_postgres
fi

work="$(mktemp -d)"
token="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
service=""
heartbeat=""
stop_service() {
  [[ -n $service ]] && { kill "$service" 2> /dev/null; wait "$service" 2> /dev/null || true; }
  service=""
}
cleanup() {
  stop_service
  [[ -n $heartbeat ]] && kill "$heartbeat" 2> /dev/null
  echo "alter database $db reset all" | as_postgres > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

start_service() {
  java -Xmx1g -jar "$jar" --server.port="$port" --sparkgate.work-dir="$work" \
    --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$db?sslmode=disable" \
    --spring.datasource.username=sparkgate_bench --spring.datasource.password="$password" \
    --sparkgate.spark.backend=simulated --sparkgate.catalog.bootstrap-dir=none \
    --sparkgate.catalog.artifact-locations=/opt/bench --logging.level.io.sparkgate=WARN \
    "--sparkgate.security.tokens[0].name=bench" "--sparkgate.security.tokens[0].role=admin" \
    "--sparkgate.security.tokens[0].sha256=$hash" >> "$work/service.log" 2>&1 &
  service=$!
  for _ in $(seq 180); do
    java scripts/Ready.java "http://127.0.0.1:$port/actuator/health/readiness" 2> /dev/null && return
    kill -0 "$service" 2> /dev/null || { cat "$work/service.log" >&2; exit 1; }
    sleep 1
  done
  echo "run-lists: the service did not get ready" >&2
  exit 1
}

start_service
stored="$(sql -c 'select count(*) from run')"
if (( stored < runs )); then
  [[ $stored == 0 ]] || { echo "run-lists: $db holds $stored runs, not $runs; LISTS_FRESH=1" >&2; exit 2; }
  echo "Seeding $runs runs into $db ..."
  sql -v runs="$runs" -f bench/seed-runs.sql > "$out/seed.log"
  cat "$out/seed.log"
fi
(while true; do
   sql -c "update instance set heartbeat_seq = heartbeat_seq + 1, heartbeat_at = now()
           where id = 'bench-peer'" > /dev/null 2>&1 || true
   sleep 2
 done) &
heartbeat=$!

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

url() { echo "http://127.0.0.1:$port/api/v1/runs${1:+?$1}"; }

if [[ ${LISTS_EXPLAIN:-0} == 1 ]]; then
  stop_service
  as_postgres << SQL
alter database $db set session_preload_libraries = 'auto_explain';
alter database $db set auto_explain.log_min_duration = 0;
alter database $db set auto_explain.log_analyze = on;
alter database $db set auto_explain.log_buffers = on;
SQL
  from_line=$(( $(wc -l < "$pg_log") + 1 ))
  start_service
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
  stop_service
  echo "alter database $db reset all" | as_postgres
  echo "Plans of $(grep -c 'duration:' "$out/plans.log") statements in $out/plans.log"
  start_service
fi

ms() { # wrk's 1.23ms / 512.00us / 1.02s / 2.00m in milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.1f", v / 1000; else if (v ~ /ms$/) printf "%.1f", v + 0;
    else if (v ~ /m$/) printf "%.0f", v * 60000; else printf "%.0f", v * 1000 }'
}

# Every shape answers, and the JIT has seen them all before anything is measured.
for shape in "${shapes[@]}"; do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "$(url "${shape#*|}")" ||
    { echo "run-lists: ${shape%%|*} failed" >&2; exit 1; }
  wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "$(url "${shape#*|}")" > /dev/null
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
