"""Airflow test setup. Airflow reads its configuration when first imported, so the environment
is set here, before any test module imports it: a throwaway AIRFLOW_HOME with a SQLite database,
and a DAG folder holding this repository's DAGs plus the test DAGs (dag.test() runs only DAGs
that live in the DAG folder)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
TEST_DAGS = Path(__file__).parent / "dags"

_home = Path(tempfile.mkdtemp(prefix="sparkgate-airflow-"))
_dag_folder = _home / "dags"
_dag_folder.mkdir()
for source in [*DAGS.glob("*.py"), *TEST_DAGS.glob("*.py")]:
    shutil.copy(source, _dag_folder / source.name)
os.environ.update(
    {
        "AIRFLOW_HOME": str(_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(_dag_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # Until a test starts a control plane, the connection points at a closed port.
        "AIRFLOW_CONN_SPARKGATE": json.dumps(
            {"conn_type": "http", "host": "127.0.0.1", "port": 9, "schema": "http"}
        ),
    }
)
sys.path.insert(0, str(_dag_folder))


@pytest.fixture(scope="session")
def airflow_db():
    from airflow.utils.db import initdb

    initdb()


class ControlPlane:
    """The packaged service as a child process with real Spark in local mode."""

    def __init__(self, base: str, admin: str, operator: str, work: Path) -> None:
        self.base = base
        self.admin = admin
        self.operator = operator
        self.work = work

    def get(self, path: str, **params) -> dict:
        response = requests.get(
            self.base + path,
            params=params,
            headers={"Authorization": f"Bearer {self.admin}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def put_job(self, name: str, definition: dict) -> None:
        response = requests.put(
            f"{self.base}/api/v1/jobs/{name}",
            json=definition,
            headers={"Authorization": f"Bearer {self.admin}"},
            timeout=30,
        )
        assert response.status_code in (200, 201), response.text

    def runs(self, **filters) -> list[dict]:
        return self.get("/api/v1/runs", **filters)["runs"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def control_plane(airflow_db):
    jar = REPO / "control-plane" / "target" / "control-plane.jar"
    if not jar.is_file():
        pytest.fail(f"{jar} is missing: build it first (./mvnw -B package -DskipTests)")
    work = _home / "sparkgate"
    port = _free_port()
    admin, operator = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    tokens = []
    for i, (name, role, token) in enumerate(
        [("test-admin", "admin", admin), ("airflow", "operator", operator)]
    ):
        digest = hashlib.sha256(token.encode()).hexdigest()
        tokens += [
            f"--sparkgate.security.tokens[{i}].name={name}",
            f"--sparkgate.security.tokens[{i}].role={role}",
            f"--sparkgate.security.tokens[{i}].sha256={digest}",
        ]
    log = open(_home / "control-plane.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            "java",
            "-Xmx768m",
            "-jar",
            str(jar),
            f"--server.port={port}",
            f"--sparkgate.work-dir={work}",
            "--sparkgate.supervision.poll-interval=250ms",
            "--sparkgate.runs.max-concurrent=2",
            *tokens,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"the control plane exited; see {_home / 'control-plane.log'}")
        try:
            if requests.get(base + "/actuator/health/readiness", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the control plane did not become ready in 120 s")
        time.sleep(0.25)
    # What a deployment puts in Airflow's environment: the operator token in the connection.
    os.environ["AIRFLOW_CONN_SPARKGATE"] = json.dumps(
        {
            "conn_type": "http",
            "host": "127.0.0.1",
            "port": port,
            "schema": "http",
            "extra": {"Authorization": f"Bearer {operator}"},
        }
    )
    yield ControlPlane(base, admin, operator, work)
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def fresh_dag(dag_id: str):
    """The DAG parsed anew: dag.test(run_conf=...) writes the conf into the tasks' params in
    place, so a DAG object must not be shared between tests."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(_dag_folder))
    assert bag.import_errors == {}, bag.import_errors
    return bag.dags[dag_id]
