#!/usr/bin/env bash
# The DAG tests in a real Airflow 3.3.2 (SQLite metadata database, dag.test()), against a real
# control plane with real Spark for the end-to-end ones.
#
#   tests/airflow/run.sh            # needs the built service: ./mvnw -B package -DskipTests
#   tests/airflow/run.sh -k render  # any pytest arguments
#
# Installs the pinned environment once into .venv/airflow with uv (from PyPI; pip works too but
# takes a minute longer), then runs ruff on the DAGs and pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv/airflow
tools=.venv/tools
if [[ ! -x $venv/bin/pytest ]]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check uv==0.13.8
  "$tools/bin/uv" venv --quiet --python "$(command -v python3)" "$venv"
  "$tools/bin/uv" pip install --quiet --python "$venv/bin/python" \
    -c tests/airflow/constraints.txt -r tests/airflow/requirements.txt
fi

python_sources=(dags tests/airflow control-plane/src/main/resources/python
  control-plane/src/test/resources/python)
"$venv/bin/ruff" check "${python_sources[@]}"
"$venv/bin/ruff" format --check "${python_sources[@]}"
exec "$venv/bin/pytest" -c tests/airflow/pytest.ini --rootdir tests/airflow tests/airflow "$@"
