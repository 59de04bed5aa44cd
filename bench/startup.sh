#!/usr/bin/env bash
# Start-up time and idle memory of `java -jar control-plane.jar` with the embedded defaults (its
# own PostgreSQL, local Spark), as the README's users start it: the time from launch until
# /actuator/health/readiness answers 200, what Spring Boot reports for the context, and the
# resident memory of the service's JVM (and, apart, of its PostgreSQL) after 20 s idle.
#
#   bench/startup.sh [JAR] [RUNS]     # defaults: control-plane/target/control-plane.jar, 3
#
# Each variant starts RUNS times on one work directory (the first start of all also runs initdb;
# it is reported apart): the plain `java -jar`, then with JVM flags the service cannot set for
# itself: -XX:TieredStopAtLevel=1 (C1 only: faster start, slower steady state), the extracted
# layout (java -Djarmode=tools -jar control-plane.jar extract) alone and with a class data sharing
# archive of the application's classes (-XX:SharedArchiveFile; both as control-plane/run.sh makes
# and starts them), and -Xss512k -XX:MaxRAM=1g (a smaller heap ceiling).
set -euo pipefail
cd "$(dirname "$0")/.."

jar="${1:-control-plane/target/control-plane.jar}"
runs="${2:-3}"
port="${STARTUP_PORT:-18097}"
[[ -f $jar ]] || { echo "startup: no $jar; build it: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n $pid ]] && { kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

rss_mb() { # pid -> resident MB
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}
postgres_mb() { # resident MB of the embedded PostgreSQL's processes (shared pages counted once each)
  local total=0 p
  for p in $(pgrep -f "postgres.*$work" || true); do
    total=$((total + $(awk '/^Pss:/ { s += $2 } END { print s + 0 }' "/proc/$p/smaps_rollup" 2> /dev/null || echo 0)))
  done
  echo $((total / 1024))
}

# One start: seconds to readiness, Boot's own figure, idle RSS of the JVM and of PostgreSQL.
start() { # java options...
  local started ready log="$work/service.log"
  : > "$log"
  started=$(date +%s%N)
  java "$@" -jar "${run_jar:-$jar}" --server.port="$port" --sparkgate.work-dir="$work/sparkgate" \
    --sparkgate.spark.backend=simulated > "$log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness"; do
    kill -0 "$pid" 2> /dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  ready=$(date +%s%N)
  sleep 20
  printf '%.2f %s %s %s\n' "$(awk -v a="$started" -v b="$ready" 'BEGIN { print (b - a) / 1e9 }')" \
    "$(grep -oE 'Started [A-Za-z]+ in [0-9.]+ seconds' "$log" | grep -oE '[0-9.]+ seconds' | cut -d' ' -f1)" \
    "$(rss_mb "$pid")" "$(postgres_mb)"
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  pid=""
}

variant() { # name, java options...
  local name="$1" line
  shift
  local ready=() boot=() rss=() pg=()
  for _ in $(seq "$runs"); do
    read -r r b m p <<< "$(start "$@")"
    ready+=("$r") boot+=("$b") rss+=("$m") pg+=("$p")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  echo "| $name | $(median "${ready[@]}") | $(median "${boot[@]}") | $(median "${rss[@]}") | $(median "${pg[@]}") |"
}

read -r first_ready first_boot first_rss first_pg <<< "$(start)"
echo "$(date -u '+%F'), $(git rev-parse --short HEAD 2> /dev/null || echo unknown), $(nproc) cores, $(java -version 2>&1 | head -1), simulated backend, median of $runs starts:"
echo
echo "| variant | s to ready | Boot's \"Started in\" s | idle RSS of the JVM, MB | PostgreSQL, MB (PSS) |"
echo "| --- | --- | --- | --- | --- |"
echo "| first start of all (initdb included) | $first_ready | $first_boot | $first_rss | $first_pg |"
variant "\`java -jar\`"
variant "-XX:TieredStopAtLevel=1" -XX:TieredStopAtLevel=1
# Class data sharing needs the classes in plain jars: the extracted layout, as Spring Boot
# documents it; control-plane/run.sh makes it and the archive (one training start, stopped with
# SIGTERM), here for a copy of the jar under test.
mkdir -p "$work/cp/control-plane/target" "$work/cp/scripts"
cp "$jar" "$work/cp/control-plane/target/control-plane.jar"
cp control-plane/run.sh "$work/cp/control-plane/run.sh"
cp scripts/Ready.java "$work/cp/scripts/Ready.java"
"$work/cp/control-plane/run.sh" --prepare-only
extracted="$work/cp/control-plane/target/app/control-plane.jar"
run_jar="$extracted" variant "extracted jar"
run_jar="$extracted" variant "extracted jar + class data sharing archive (control-plane/run.sh)" \
  -XX:SharedArchiveFile="$work/cp/control-plane/target/app/control-plane.jsa"
variant "-Xss512k -XX:MaxRAM=1g" -Xss512k -XX:MaxRAM=1g
