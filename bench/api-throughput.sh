#!/usr/bin/env bash
# What a request costs in Sparkgate against a bare Spring Boot app, side by side in one run: the
# liveness probe against a bare endpoint, and GET /api/v1/runs/{id} against one primary-key lookup
# of the same run row, each with wrk (2 threads) at 8 and 64 connections, on a database of
# 1,000,000 runs (bench/lib/runs-db.sh), simulated Spark backend.
#
#   bench/api-throughput.sh [JAR]     # default: control-plane/target/control-plane.jar
#
# The baseline is bench/baseline/BareApp.java, compiled here against the service's own libraries
# (the jar's extracted lib/), run with the same JVM and heap, the same Tomcat and Hikari defaults,
# on the same database; without the jars of Spring Security, Actuator, Micrometer's registry and
# Boot's metrics and observation support, Flyway and springdoc on its class path, it is what a
# bare app has. Both run for the whole benchmark; they take turns under load, each endpoint is
# warmed up right before it is measured.
#
# Prints the table and writes it, with the date, into docs/benchmarks.md between its markers
# (API_WRITE=0 leaves the file alone). On two cores the JIT needs a minute of load before either
# app reaches its steady state (Sparkgate, with more code on the path, the longer: its throughput
# doubles over the first minute), so each app first serves its two endpoints for API_JIT_WARMUP
# (60s) at 64 connections. Settings: API_DURATION (10s), API_WARMUP (5s), BENCH_DB,
# BENCH_RUNS, BENCH_FRESH (see bench/lib/runs-db.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

jar="${1:-control-plane/target/control-plane.jar}"
duration="${API_DURATION:-10s}"
warmup="${API_WARMUP:-5s}"
jit_warmup="${API_JIT_WARMUP:-60s}"
out="${API_OUT:-target/api-throughput}"
port="${API_PORT:-18094}"
bare_port="${API_BARE_PORT:-18095}"
[[ -f $jar ]] || { echo "api-throughput: no $jar; build it: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v wrk > /dev/null || { echo "api-throughput: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$out"
source bench/lib/runs-db.sh

bare=""
cleanup() {
  [[ -n $bare ]] && { kill "$bare" 2> /dev/null; wait "$bare" 2> /dev/null || true; }
  bench_cleanup
}
trap cleanup EXIT

bench_db_prepare
bench_service_start
bench_seed

# The baseline: the service's libraries minus what only the service needs.
base="$bench_work/baseline"
java -Djarmode=tools -jar "$jar" extract --destination "$base/app" > /dev/null
classpath="$(ls "$base"/app/lib/*.jar |
  grep -vE '/(spring-boot-(actuator|flyway|security|micrometer)|spring-security-|flyway-|springdoc-|swagger-|micrometer-registry-|embedded-postgres)' |
  paste -sd:)"
javac -d "$base/classes" -cp "$classpath" bench/baseline/BareApp.java
java -Xmx1g -cp "$base/classes:$classpath" baseline.BareApp --server.port="$bare_port" \
  --spring.main.banner-mode=off --spring.datasource.url="$bench_jdbc_url" \
  --spring.datasource.username=sparkgate_bench --spring.datasource.password="$bench_password" \
  > "$bench_work/bare.log" 2>&1 &
bare=$!
bench_await_ready "http://127.0.0.1:$bare_port/hello" "$bench_work/bare.log" "$bare"

run="$(sql -c "select id from run where state = 'SUCCEEDED' order by created_at desc limit 1")"
auth="Authorization: Bearer $bench_token"
curl -sf -o /dev/null "http://127.0.0.1:$bare_port/runs/$run" || { grep -m3 Exception "$bench_work/bare.log" >&2; exit 1; }
curl -sf -o /dev/null -H "$auth" "http://127.0.0.1:$port/api/v1/runs/$run"

measure() { # connections, url, [header] -> "req/s p99-ms non-2xx"
  local result
  wrk -t2 -c"$1" -d"$warmup" ${3:+-H "$3"} "$2" > /dev/null
  result="$(wrk -t2 -c"$1" -d"$duration" --latency ${3:+-H "$3"} "$2")"
  awk '$1 == "Requests/sec:" { rps = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
       END { printf "%.0f %s %d\n", rps, p99, bad }' <<< "$result"
}

row() { # name, connections, bare url, sparkgate url, [sparkgate header]
  local b_rps b_p99 b_bad s_rps s_p99 s_bad
  read -r b_rps b_p99 b_bad <<< "$(measure "$2" "$3")"
  read -r s_rps s_p99 s_bad <<< "$(measure "$2" "$4" "${5:-}")"
  ((b_bad + s_bad == 0)) || { echo "api-throughput: non-2xx answers in '$1'" >&2; exit 1; }
  printf '| %s | %s | %s req/s, p99 %s ms | %s req/s, p99 %s ms | %.2f |\n' "$1" "$2" \
    "$b_rps" "$(ms "$b_p99")" "$s_rps" "$(ms "$s_p99")" "$(awk -v s="$s_rps" -v b="$b_rps" 'BEGIN { print s / b }')"
}

for target in "http://127.0.0.1:$bare_port/runs/$run" "http://127.0.0.1:$bare_port/hello"; do
  wrk -t2 -c64 -d"$jit_warmup" "$target" > /dev/null
done
for target in "http://127.0.0.1:$port/api/v1/runs/$run" "http://127.0.0.1:$port/actuator/health/liveness"; do
  wrk -t2 -c64 -d"$jit_warmup" -H "$auth" "$target" > /dev/null
done

{
  echo "$(date -u '+%F'), $(git rev-parse --short HEAD 2> /dev/null || echo unknown), $(nproc) cores,"
  echo "$(sql -c 'select count(*) from run') runs stored, load before: $(cut -d' ' -f1-3 /proc/loadavg):"
  echo
  echo "| endpoint: bare app / Sparkgate | conns | bare Spring Boot app | Sparkgate | ratio |"
  echo "| --- | --- | --- | --- | --- |"
  row "hello / \`GET /actuator/health/liveness\`" 8 \
    "http://127.0.0.1:$bare_port/hello" "http://127.0.0.1:$port/actuator/health/liveness"
  row "hello / \`GET /actuator/health/liveness\`" 64 \
    "http://127.0.0.1:$bare_port/hello" "http://127.0.0.1:$port/actuator/health/liveness"
  row "primary-key lookup / \`GET /api/v1/runs/{id}\`" 8 \
    "http://127.0.0.1:$bare_port/runs/$run" "http://127.0.0.1:$port/api/v1/runs/$run" "$auth"
  row "primary-key lookup / \`GET /api/v1/runs/{id}\`" 64 \
    "http://127.0.0.1:$bare_port/runs/$run" "http://127.0.0.1:$port/api/v1/runs/$run" "$auth"
} | tee "$out/table.md"

if [[ ${API_WRITE:-1} == 1 ]]; then
  python3 - docs/benchmarks.md "$out/table.md" << 'PY'
import sys
path, table = sys.argv[1], open(sys.argv[2]).read().strip()
begin, end = "<!-- api-throughput: begin -->", "<!-- api-throughput: end -->"
text = open(path).read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + begin + "\n" + table + "\n" + end + tail)
PY
  echo "Written into docs/benchmarks.md"
fi
