#!/usr/bin/env bash
# Fuzzes the API with schemathesis against the service's own OpenAPI document, with a valid
# admin token: every response must be documented, conform to its schema and never be a 5xx.
#
#   fuzz/run.sh                 # CI's bounded run: 25 examples per operation and phase
#   FUZZ_EXAMPLES=500 fuzz/run.sh   # a longer run; FUZZ_SEED=<n> replays a run's seed
#
# One worker: with several, CPython 3.11.7 can fail inside ast.parse ("AST constructor recursion
# depth mismatch"), a bug of the interpreter, not of the service.
#
# Needs the built service (./mvnw -B package, or the verify of the README) and python3. The
# service runs with the simulated Spark backend (runs "run" without Spark), its own embedded
# PostgreSQL and a throwaway work directory; nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${FUZZ_EXAMPLES:-25}"
venv="${FUZZ_VENV:-.venv/fuzz}"
jar=control-plane/target/control-plane.jar
[[ -f $jar ]] || { echo "fuzz: build first: ./mvnw -B package -DskipTests" >&2; exit 2; }

if [[ ! -x $venv/bin/schemathesis ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
java -Xmx768m -jar "$jar" --server.port="$port" --sparkgate.work-dir="$work" \
  --sparkgate.spark.backend=simulated --sparkgate.spark.simulated-run-duration=1s \
  --sparkgate.catalog.bootstrap-dir=none --sparkgate.catalog.artifact-locations=/opt/fuzz \
  --sparkgate.history.url=none \
  "--sparkgate.security.tokens[0].name=fuzz" "--sparkgate.security.tokens[0].role=admin" \
  "--sparkgate.security.tokens[0].sha256=$hash" > "$work/service.log" 2>&1 &
service=$!
# No History Server of its own (--sparkgate.history.url=none): the fuzzer would start one, a JVM
# whose start can outlast its request timeout; /api/v1/spark-history answers the documented 404.
cleanup() { kill "$service" 2>/dev/null; wait "$service" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 120); do
  java scripts/Ready.java "http://127.0.0.1:$port/actuator/health/readiness" 2>/dev/null && break
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log" >&2; exit 1; }
  sleep 1
done

# use_after_free is left out: DELETE /api/v1/tokens/{id} (the API's only DELETE) revokes a token
# and its record stays readable on purpose, for audit. The CLI's --checks outranks the config file.
args=(run "http://127.0.0.1:$port/v3/api-docs" --checks all --exclude-checks use_after_free
      --max-examples "$examples"
      --workers 1 --request-timeout 20 --report junit --report-dir target/fuzz)
[[ -n ${FUZZ_SEED:-} ]] && args+=(--seed "$FUZZ_SEED")
status=0
"$venv/bin/schemathesis" --config-file fuzz/schemathesis.toml \
  "${args[@]}" -H "Authorization: Bearer $token" || status=$?
if grep -q "Unexpected error" "$work/service.log"; then
  echo "fuzz: the service logged unexpected errors:" >&2
  grep -A5 "Unexpected error" "$work/service.log" | head -40 >&2
  status=1
fi
exit $status
