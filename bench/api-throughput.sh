#!/usr/bin/env bash
# What a request costs in Sparkgate against a bare Spring Boot app, side by side in one run: the
# liveness probe against a bare endpoint, and GET /api/v1/runs/{id} against one primary-key lookup
# of the same run row, each with wrk (2 threads) at 8 and 64 connections, on a database of
# 1,000,000 runs (bench/lib/runs-db.sh), simulated Spark backend.
#
#   bench/api-throughput.sh [JAR] [BEFORE_JAR]   # default: control-plane/target/control-plane.jar
#
# The baseline is bench/baseline/BareApp.java, compiled here against the service's own libraries
# (the jar's extracted lib/), run with the same JVM and heap, the same Hikari defaults, on the same
# database, with Boot's Tomcat defaults (200 request threads, where Sparkgate sets 32; API_BARE_ARGS
# passes arguments to the bare app, e.g. --server.tomcat.threads.max=32); without the jars of
# Spring Security, Actuator, Micrometer's registry and Boot's metrics and observation support,
# Flyway and springdoc on its class path, it is what a bare app has. With BEFORE_JAR (say the
# previous main's jar), that service runs too, as a third column.
# All run for the whole benchmark and take turns under load; each endpoint is warmed up right
# before it is measured.
#
# This machine's speed drifts by up to a factor of two within minutes, so each
# cell is the median of API_ROUNDS (3) rounds, the apps taking turns within each round, and each
# app's own CPU time per request (from /proc, user + system, of its JVM only) is printed beside its
# rate: that figure depends little on the drift. On two cores the JIT needs a minute of load before
# an app reaches its steady state, so each app first serves its two endpoints for API_JIT_WARMUP
# (60s) at 64 connections.
#
# Prints the table and writes it, with the date, into docs/benchmarks.md between its markers
# (API_WRITE=0 leaves the file alone). Settings: API_DURATION (10s), API_WARMUP (5s), API_ROUNDS,
# API_JIT_WARMUP, BENCH_DB, BENCH_RUNS, BENCH_FRESH (see bench/lib/runs-db.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

jar="${1:-control-plane/target/control-plane.jar}"
before_jar="${2:-}"
rounds="${API_ROUNDS:-3}"
duration="${API_DURATION:-10s}"
warmup="${API_WARMUP:-5s}"
jit_warmup="${API_JIT_WARMUP:-60s}"
out="${API_OUT:-target/api-throughput}"
port="${API_PORT:-18094}"
bare_port="${API_BARE_PORT:-18095}"
before_port="${API_BEFORE_PORT:-18096}"
[[ -f $jar ]] || { echo "api-throughput: no $jar; build it: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v wrk > /dev/null || { echo "api-throughput: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$out"
source bench/lib/runs-db.sh

bare=""
before=""
cleanup() {
  for pid in $bare $before; do kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null || true; done
  bench_cleanup
}
trap cleanup EXIT

bench_db_prepare
if [[ -n $before_jar ]]; then
  # The older code first: it refuses a database that newer code has migrated.
  [[ -f $before_jar ]] || { echo "api-throughput: no $before_jar" >&2; exit 2; }
  after_jar="$jar" after_port="$port"
  jar="$before_jar" port="$before_port"
  bench_service_start
  before="$bench_service" bench_service="" jar="$after_jar" port="$after_port"
fi
bench_service_start
bench_seed

# The baseline: the service's libraries minus what only the service needs.
base="$bench_work/baseline"
java -Djarmode=tools -jar "$jar" extract --destination "$base/app" > /dev/null
classpath="$(ls "$base"/app/lib/*.jar |
  grep -vE '/(spring-boot-(actuator|flyway|security|micrometer)|spring-security-|flyway-|springdoc-|swagger-|micrometer-registry-|embedded-postgres)' |
  paste -sd:)"
javac -d "$base/classes" -cp "$classpath" bench/baseline/BareApp.java
# shellcheck disable=SC2086 # API_BARE_ARGS holds several arguments
java -Xmx1g -cp "$base/classes:$classpath" baseline.BareApp --server.port="$bare_port" \
  --spring.main.banner-mode=off --spring.datasource.url="$bench_jdbc_url" \
  --spring.datasource.username=sparkgate_bench --spring.datasource.password="$bench_password" \
  ${API_BARE_ARGS:-} > "$bench_work/bare.log" 2>&1 &
bare=$!
bench_await_ready "http://127.0.0.1:$bare_port/hello" "$bench_work/bare.log" "$bare"

run="$(sql -c "select id from run where state = 'SUCCEEDED' order by created_at desc limit 1")"
auth="Authorization: Bearer $bench_token"
curl -sf -o /dev/null "http://127.0.0.1:$bare_port/runs/$run" || { grep -m3 Exception "$bench_work/bare.log" >&2; exit 1; }
curl -sf -o /dev/null -H "$auth" "http://127.0.0.1:$port/api/v1/runs/$run"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system, in clock ticks
hz="$(getconf CLK_TCK)"

measure() { # pid, connections, url, [header] -> "req/s p99-ms non-2xx cpu-us-per-request"
  local result ticks
  wrk -t2 -c"$2" -d"$warmup" ${4:+-H "$4"} "$3" > /dev/null
  ticks="$(cpu_ticks "$1")"
  result="$(wrk -t2 -c"$2" -d"$duration" --latency ${4:+-H "$4"} "$3")"
  ticks=$(($(cpu_ticks "$1") - ticks))
  awk -v ticks="$ticks" -v hz="$hz" '
       $1 == "Requests/sec:" { rps = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { bad = $NF }
       / requests in / { n = $1 }
       END { printf "%.0f %s %d %.0f\n", rps, p99, bad, ticks / hz * 1e6 / n }' <<< "$result"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

cell() { # "rps p99 cpu" lines of the rounds -> the cell's text, medians of each
  local rps=() p99=() cpu=() r p c
  while read -r r p c; do rps+=("$r"); p99+=("$p"); cpu+=("$c"); done
  printf '%s req/s, p99 %s ms, %s µs CPU/req' "$(median "${rps[@]}")" "$(median "${p99[@]}")" \
    "$(median "${cpu[@]}")"
}

row() { # name, connections, bare url, sparkgate url, [sparkgate header]
  local round b_rps b_p99 b_bad b_cpu s_rps s_p99 s_bad s_cpu o_rps o_p99 o_bad o_cpu
  local bare_cells="" new_cells="" old_cells="" ratios=()
  for ((round = 1; round <= rounds; round++)); do
    read -r b_rps b_p99 b_bad b_cpu <<< "$(measure "$bare" "$2" "$3")"
    if [[ -n $before ]]; then
      read -r o_rps o_p99 o_bad o_cpu <<< "$(measure "$before" "$2" "${4/:$port/:$before_port}" "${5:-}")"
      ((o_bad == 0)) || { echo "api-throughput: non-2xx answers in '$1' (before)" >&2; exit 1; }
      old_cells+="$o_rps $(ms "$o_p99") $o_cpu"$'\n'
    fi
    read -r s_rps s_p99 s_bad s_cpu <<< "$(measure "$bench_service" "$2" "$4" "${5:-}")"
    ((b_bad + s_bad == 0)) || { echo "api-throughput: non-2xx answers in '$1'" >&2; exit 1; }
    bare_cells+="$b_rps $(ms "$b_p99") $b_cpu"$'\n'
    new_cells+="$s_rps $(ms "$s_p99") $s_cpu"$'\n'
    ratios+=("$(awk -v s="$s_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", s / b }')")
  done
  printf '| %s | %s | %s |' "$1" "$2" "$(cell <<< "${bare_cells%$'\n'}")"
  [[ -n $before ]] && printf ' %s |' "$(cell <<< "${old_cells%$'\n'}")"
  printf ' %s | %s |\n' "$(cell <<< "${new_cells%$'\n'}")" "$(median "${ratios[@]}")"
}

targets=("http://127.0.0.1:$bare_port/runs/$run" "http://127.0.0.1:$bare_port/hello")
for p in ${before:+$before_port} $port; do
  targets+=("http://127.0.0.1:$p/api/v1/runs/$run" "http://127.0.0.1:$p/actuator/health/liveness")
done
for target in "${targets[@]}"; do
  wrk -t2 -c64 -d"$jit_warmup" -H "$auth" "$target" > /dev/null
done

{
  echo "$(date -u '+%F'), $(git rev-parse --short HEAD 2> /dev/null || echo unknown), $(nproc) cores,"
  echo "$(sql -c 'select count(*) from run') runs stored, load before: $(cut -d' ' -f1-3 /proc/loadavg),"
  echo "median of $rounds rounds of $duration each (the ratio: median of the rounds' ratios):"
  echo
  if [[ -n $before ]]; then
    echo "| endpoint: bare app / Sparkgate | conns | bare Spring Boot app | Sparkgate before ($(basename "$before_jar")) | Sparkgate | ratio to bare |"
    echo "| --- | --- | --- | --- | --- | --- |"
  else
    echo "| endpoint: bare app / Sparkgate | conns | bare Spring Boot app | Sparkgate | ratio |"
    echo "| --- | --- | --- | --- | --- |"
  fi
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
