# Shared by bench/run-lists.sh and bench/api-throughput.sh (sourced, not run): a database of
# BENCH_RUNS runs (default 1,000,000) on the local PostgreSQL cluster at 127.0.0.1:5432 (Debian's:
# pg_ctlcluster 15 main start), and a Sparkgate service on it with the simulated Spark backend and
# a static admin token, as fuzz/run.sh runs it.
#
# The database is BENCH_DB (default sparkgate_lists), owned by the role sparkgate_bench; both are
# created here, as root (through `su postgres`). The service's Flyway migrates the schema, then
# bench/seed-runs.sql fills it (about 80 s) unless it holds the runs already, so one database
# serves the code before and after a change: run the old jar first (a database migrated by newer
# code is refused by older code; BENCH_FRESH=1 starts over). The service talks to the database
# without TLS: on loopback it would only add encryption to both sides of a comparison. While it
# runs, a loop keeps the instance bench-peer (owner of the seeded live runs) heartbeating, so no
# reaper takes them over.
#
# BENCH_JAVA_OPTS adds JVM options to the service's. The caller sets jar, port and out, then calls bench_db_prepare, bench_service_start and
# bench_seed; bench_cleanup runs on exit.

bench_db="${BENCH_DB:-${LISTS_DB:-sparkgate_lists}}"
bench_runs="${BENCH_RUNS:-${LISTS_RUNS:-1000000}}"
bench_password=sparkgate-bench
bench_work="$(mktemp -d)"
bench_token="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bench_service=""
bench_heartbeat=""
bench_jdbc_url="jdbc:postgresql://127.0.0.1:5432/$bench_db?sslmode=disable"

as_postgres() { su postgres -c 'psql -X -q -At -v ON_ERROR_STOP=1'; } # SQL on stdin
sql() {
  PGPASSWORD=$bench_password psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U sparkgate_bench \
    "$bench_db" "$@"
}

bench_db_prepare() {
  if [[ ${BENCH_FRESH:-${LISTS_FRESH:-0}} == 1 ]]; then
    echo "drop database if exists $bench_db" | as_postgres
  fi
  as_postgres << SQL
do \$\$ begin create role sparkgate_bench login password '$bench_password';
exception when duplicate_object then null; end \$\$;
SQL
  if [[ -z $(echo "select 1 from pg_database where datname = '$bench_db'" | as_postgres) ]]; then
    echo "create database $bench_db owner sparkgate_bench" | as_postgres
  fi
}

bench_service_stop() {
  [[ -n $bench_service ]] && { kill "$bench_service" 2> /dev/null; wait "$bench_service" 2> /dev/null || true; }
  bench_service=""
}

bench_cleanup() {
  bench_service_stop
  [[ -n $bench_heartbeat ]] && kill "$bench_heartbeat" 2> /dev/null
  echo "alter database $bench_db reset all" | as_postgres > /dev/null 2>&1 || true
  rm -rf "$bench_work"
}

# Waits until the URL answers 200, while the process lives; its log is in $2.
bench_await_ready() { # url, log, pid
  for _ in $(seq 180); do
    java scripts/Ready.java "$1" 2> /dev/null && return
    kill -0 "$3" 2> /dev/null || { cat "$2" >&2; exit 1; }
    sleep 1
  done
  echo "$(basename "$0"): $1 did not get ready" >&2
  exit 1
}

bench_service_start() { # extra service arguments
  local hash
  hash="$(printf '%s' "$bench_token" | sha256sum | cut -d' ' -f1)"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS holds several options
  java -Xmx1g ${BENCH_JAVA_OPTS:-} -jar "$jar" --server.port="$port" --sparkgate.work-dir="$bench_work" \
    --spring.datasource.url="$bench_jdbc_url" \
    --spring.datasource.username=sparkgate_bench --spring.datasource.password="$bench_password" \
    --sparkgate.spark.backend=simulated --sparkgate.catalog.bootstrap-dir=none \
    --sparkgate.catalog.artifact-locations=/opt/bench --logging.level.io.sparkgate=WARN \
    "--sparkgate.security.tokens[0].name=bench" "--sparkgate.security.tokens[0].role=admin" \
    "--sparkgate.security.tokens[0].sha256=$hash" "$@" >> "$bench_work/service.log" 2>&1 &
  bench_service=$!
  bench_await_ready "http://127.0.0.1:$port/actuator/health/readiness" "$bench_work/service.log" \
    "$bench_service"
}

# Seeds the runs if the database has none yet, and starts the heartbeat of bench-peer.
bench_seed() {
  local stored
  stored="$(sql -c 'select count(*) from run')"
  if ((stored < bench_runs)); then
    [[ $stored == 0 ]] ||
      { echo "$(basename "$0"): $bench_db holds $stored runs, not $bench_runs; BENCH_FRESH=1" >&2; exit 2; }
    echo "Seeding $bench_runs runs into $bench_db ..."
    sql -v runs="$bench_runs" -f bench/seed-runs.sql > "$out/seed.log"
    cat "$out/seed.log"
  fi
  # What a migration just built (a new table, an index) is vacuumed and analyzed before anything is
  # measured, as autovacuum would do soon after: until then index-only scans read the heap, and
  # autovacuum would run in the middle of a measurement. Cheap when nothing changed.
  PGOPTIONS='-c client_min_messages=error' sql -c 'vacuum (analyze)' # not the shared catalogs
  (while true; do
     sql -c "update instance set heartbeat_seq = heartbeat_seq + 1, heartbeat_at = now()
             where id = 'bench-peer'" > /dev/null 2>&1 || true
     sleep 2
   done) &
  bench_heartbeat=$!
}

# wrk's 1.23ms / 512.00us / 1.02s / 2.00m in milliseconds.
ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.1f", v / 1000; else if (v ~ /ms$/) printf "%.1f", v + 0;
    else if (v ~ /m$/) printf "%.0f", v * 60000; else printf "%.0f", v * 1000 }'
}
