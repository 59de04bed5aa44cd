#!/usr/bin/env bash
# Starts the control plane as `java -jar control-plane/target/control-plane.jar` does, in about
# half the time: from Spring Boot's extracted layout, with a class data sharing archive of the
# classes a start loads (docs/benchmarks.md, "Start-up and idle memory"). Both are made from the
# built jar the first time, and again after every build or with another JDK: one training start
# of the service in a throwaway directory (about 18 s on 2 cores), never touching .sparkgate/ or a configured
# database. Should that fail, the service starts from the plain jar.
#
#   control-plane/run.sh [service arguments, e.g. --server.port=8081]
#   JAVA_OPTS="-Xmx1g" control-plane/run.sh
#   control-plane/run.sh --prepare-only    # make the layout and archive now (say, in an image)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/control-plane.jar"
app="$here/target/app"
[[ -f $jar ]] || { echo "run.sh: build first: ./mvnw -DskipTests package" >&2; exit 2; }

# What the archive depends on: this very jar, this very JVM, and the jars' paths (an archive
# only serves the class path it was made with, so it is made in place). The JVM by its files,
# not by asking it: `java -version` would add a JVM start to every start.
java_bin="$(readlink -f "$(command -v java)")"
jvm="$(dirname "$java_bin")/../lib/server/libjvm.so"
[[ -f $jvm ]] || jvm="$java_bin"
stamp="$(stat -c '%s %Y' "$jar") $app $(stat -c '%n %s %Y' "$jvm")"

# Extracts the jar into $app and records a start's classes; the stamp, written last, marks it
# complete. Returns non-zero on failure.
prepare() {
  local tmp pid port="" i
  tmp="$(mktemp -d)"
  echo "run.sh: preparing a faster start from the new build (once, about 18 s)" >&2
  rm -rf "$app"
  if ! java -Djarmode=tools -jar "$jar" extract --destination "$app" > "$tmp/extract.log" 2>&1; then
    cat "$tmp/extract.log" >&2
    rm -rf "$tmp" "$app"
    return 1
  fi
  # A clean environment and directory: the service's defaults, its own embedded PostgreSQL, no
  # configuration of the caller's (SPARKGATE_*, SPRING_DATASOURCE_*, ./config/).
  (cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" \
    java -XX:ArchiveClassesAtExit="$app/control-plane.jsa" -jar "$app/control-plane.jar" \
    --server.port=0 --sparkgate.work-dir="$tmp/work" > "$tmp/training.log" 2>&1) &
  pid=$!
  for i in $(seq 1 240); do
    port="$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$tmp/training.log" | head -n 1)"
    [[ -n $port ]] && grep -q "Started SparkgateApplication" "$tmp/training.log" && break
    kill -0 "$pid" 2>/dev/null || break
    port=""
    sleep 0.5
  done
  if [[ -n $port ]]; then
    # One request through the filters, security and actuator, so that their classes are in too.
    java "$here/../scripts/Ready.java" "http://127.0.0.1:$port/actuator/health/liveness" || true
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -z $port || ! -s $app/control-plane.jsa ]]; then
    echo "run.sh: the training start failed (its log follows); starting from the plain jar" >&2
    tail -n 20 "$tmp/training.log" >&2
    rm -rf "$tmp" "$app"
    return 1
  fi
  rm -rf "$tmp"
  printf '%s\n' "$stamp" > "$app/stamp"
}

if [[ ${1:-} == --prepare-only ]]; then
  [[ "$(cat "$app/stamp" 2>/dev/null)" == "$stamp" ]] || prepare
  exit
fi
if [[ "$(cat "$app/stamp" 2>/dev/null)" != "$stamp" ]]; then
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  prepare || exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
fi
# shellcheck disable=SC2086
exec java -XX:SharedArchiveFile="$app/control-plane.jsa" ${JAVA_OPTS:-} \
  -jar "$app/control-plane.jar" "$@"
