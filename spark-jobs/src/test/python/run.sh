#!/usr/bin/env bash
# The PySpark jobs' unit tests: pytest on a local SparkSession of the runtime the build assembles,
# and ruff on the jobs' Python.
#
#   spark-jobs/src/test/python/run.sh          # needs the built runtime: ./mvnw -B package -DskipTests
#   spark-jobs/src/test/python/run.sh -k rerun # any pytest arguments
#
# PySpark comes from the runtime (spark-jobs/target/spark-home/python/lib), the same one the
# service runs Python jobs with, so the tests need no PySpark of their own: only pytest and ruff,
# installed once into .venv/jobs from PyPI.
set -euo pipefail
cd "$(dirname "$0")/../../../.."

spark_home=$PWD/spark-jobs/target/spark-home
pyspark_zip=$spark_home/python/lib/pyspark.zip
if [[ ! -f $pyspark_zip ]]; then
  echo "No PySpark in $spark_home: build it first (./mvnw -B package -DskipTests)." >&2
  exit 1
fi
py4j_zip=$(echo "$spark_home"/python/lib/py4j-*-src.zip)

venv=.venv/jobs
if [[ ! -x $venv/bin/pytest || ! -x $venv/bin/ruff ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pytest==9.2.0 ruff==0.17.6
fi

sources=(spark-jobs/src/main/python spark-jobs/src/test/python)
"$venv/bin/ruff" check "${sources[@]}"
"$venv/bin/ruff" format --check "${sources[@]}"

export SPARK_HOME=$spark_home
export PYSPARK_PYTHON=$PWD/$venv/bin/python
export PYTHONPATH=$pyspark_zip:$py4j_zip:$PWD/spark-jobs/src/main/python:$PWD/control-plane/src/main/resources/python
exec "$venv/bin/pytest" -p no:cacheprovider -ra --rootdir spark-jobs/src/test/python \
  spark-jobs/src/test/python "$@"
