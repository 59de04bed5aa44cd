#!/usr/bin/env bash
# Every test of the repository, in one command (what CI runs):
#  1. ./mvnw -B verify: the Java tests of both modules, with real PostgreSQL (embedded, from Maven
#     Central) and real Spark in local mode, the process-level tests (failsafe) and, last, the scan
#     of every log they wrote for tokens;
#  2. spark-jobs/src/test/python/run.sh: ruff and pytest of the PySpark jobs on a local
#     SparkSession of the built runtime;
#  3. fuzz/run.sh: schemathesis against the service's own OpenAPI document (bounded);
#  4. tests/airflow/run.sh: ruff and the DAG tests in a real Airflow 3.3.2, end to end against a
#     real control plane with real Spark;
#  5. tools/compose-check: its own tests (broken copies of the files are refused), then
#     docker-compose.yml through the Compose parser and our rules, with an .env made by
#     scripts/compose-env.sh (no Docker engine needed, none is started).
# Needs a JDK 17, python3 (3.11) and Go; Maven, Python and Go packages come from their registries,
# Debian's faketime from apt (installed here when run as root).
set -euo pipefail
cd "$(dirname "$0")"

step() {
  echo
  echo "==> $*"
  SECONDS=0
}
took() { echo "==> done in ${SECONDS}s"; }

# The clock-skew test runs a service process under libfaketime (Debian's package faketime).
libfaketime=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
if [ ! -e "$libfaketime" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    step "apt-get install faketime"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime > /dev/null
    took
  else
    echo "The tests need libfaketime: sudo apt-get install faketime" >&2
    exit 1
  fi
fi

step "./mvnw -B verify"
./mvnw -B verify
took

step "spark-jobs/src/test/python/run.sh (pytest of the PySpark jobs)"
spark-jobs/src/test/python/run.sh
took

step "fuzz/run.sh (schemathesis, ${FUZZ_EXAMPLES:-25} examples per operation)"
fuzz/run.sh
took

step "tests/airflow/run.sh (Airflow 3.3.2)"
tests/airflow/run.sh
took

step "compose-check (docker-compose.yml, control-plane/Dockerfile)"
env_file="$(mktemp -d)/.env"
scripts/compose-env.sh "$env_file" > /dev/null
(cd tools/compose-check && go vet ./... && go test ./... && go run . --env-file "$env_file" \
  --dockerfile ../../control-plane/Dockerfile ../../docker-compose.yml)
rm -rf "$(dirname "$env_file")"
took
