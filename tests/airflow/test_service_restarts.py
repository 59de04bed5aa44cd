"""The wait task keeps waiting while the service restarts (502, 503, 504), against a stand-in
service on loopback that answers as Sparkgate does: a fast test of the sensor's rules, beside the
end-to-end tests against the real one."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState
from conftest import fresh_dag
from test_end_to_end import quick


class Restarting(BaseHTTPRequestHandler):
    """Accepts one submit, then answers the polls with the statuses in ``script``."""

    script: list = []
    seen: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        self.seen.append(("POST", self.path, self.headers.get("Idempotency-Key")))
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(201, {"runId": "run-1", "state": "QUEUED"})

    def do_GET(self):  # noqa: N802
        self.seen.append(("GET", self.path, None))
        step = self.script.pop(0) if self.script else "SUCCEEDED"
        if isinstance(step, int):
            self._send(step, {"type": "https://sparkgate.io/problems/service-unavailable"})
        else:
            self._send(200, {"runId": "run-1", "job": "airflow-demo", "state": step, "attempt": 1})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def restarting_service(monkeypatch, airflow_db):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Restarting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SPARKGATE",
        json.dumps(
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": server.server_address[1],
                "schema": "http",
            }
        ),
    )
    Restarting.seen = []
    yield Restarting
    server.shutdown()


def test_the_wait_task_keeps_waiting_through_a_restart(restarting_service):
    restarting_service.script = ["RUNNING", 503, 502, 504, "RUNNING", "SUCCEEDED"]
    dag = quick(fresh_dag("sparkgate_demo"))
    dag_run = dag.test(logical_date=None)
    assert dag_run.state == DagRunState.SUCCESS
    wait = dag_run.get_task_instance("demo.wait")
    assert wait.state == TaskInstanceState.SUCCESS
    assert wait.try_number == 1  # no retry needed: the 5xx were pokes that said "not yet"
    polls = [path for method, path, _ in restarting_service.seen if method == "GET"]
    assert polls == ["/api/v1/runs/run-1"] * 6


def test_an_error_that_is_not_a_restart_fails_the_poke(restarting_service):
    restarting_service.script = [401] * 10
    dag = quick(fresh_dag("sparkgate_demo"))
    dag_run = dag.test(logical_date=None)
    assert dag_run.state == DagRunState.FAILED
    # The task's retries applied (a wrong token is not waited out until the timeout).
    assert dag_run.get_task_instance("demo.wait").try_number == 2
