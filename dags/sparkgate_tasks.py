"""Run a Sparkgate job from an Airflow DAG: one call gives a submit task and a wait task.

    from sparkgate_tasks import spark_job

    curate = spark_job("market-curate", params={"date": BUSINESS_DATE})
    ingest >> curate

The submit task POSTs /api/v1/runs through the ``sparkgate`` HTTP connection with an
Idempotency-Key made of the DAG id, the Airflow run id, the task id and the map index, never the
try number: a retried or re-run submit returns the run it already created, and after that run
failed Sparkgate starts a new one linked to it (previousRunId). The wait task polls the run in
reschedule mode (no worker slot held) until it ends; a run that failed, was cancelled or timed
out fails the task at once with the reason and the tail of the driver log, since Sparkgate has
already applied the job's own retry policy.

The connection comes from the environment, for example::

    AIRFLOW_CONN_SPARKGATE='{"conn_type": "http", "host": "sparkgate", "port": 8080,
        "schema": "http", "extra": {"Authorization": "Bearer <an operator token>"}}'

Nothing here does any work at import time.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.http.sensors.http import HttpSensor
from airflow.sdk import TaskGroup
from airflow.sdk.exceptions import AirflowFailException

CONN_ID = "sparkgate"

#: Same for every try of a task instance, different for every task, run and mapped index.
IDEMPOTENCY_KEY = "{{ dag.dag_id }}/{{ run_id }}/{{ task.task_id }}/{{ ti.map_index }}"

#: Run states after which a run never changes again.
FAILED_STATES = frozenset({"FAILED", "CANCELLED", "TIMED_OUT"})

#: Statuses that mean the service is restarting or behind a proxy that is: keep waiting.
RESTARTING = ["502", "503", "504"]

LOG_TAIL_BYTES = 4096

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def spark_job(
    job: str,
    *,
    params: dict[str, Any] | None = None,
    spark_conf: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    group_id: str | None = None,
    poke_interval: timedelta = timedelta(seconds=30),
    timeout: timedelta = timedelta(hours=6),
    http_conn_id: str = CONN_ID,
) -> TaskGroup:
    """A task group ``<group_id>`` with ``submit`` and ``wait`` for a registered Sparkgate job.

    ``params`` values may be Jinja templates (``"{{ ds }}"``, ``"data/{{ params.x }}"``): they are
    rendered when the task runs, like any templated field. ``timeout`` bounds the wait for the run
    as a whole; give the job itself a ``timeoutSeconds`` in Sparkgate for the run's own limit.
    Task arguments such as ``retries`` come from the DAG's ``default_args``.
    """
    group_id = group_id or job.split("-", 1)[-1].replace("-", "_")
    body = {
        "job": job,
        "params": params or {},
        "sparkConf": spark_conf or {},
        "labels": {
            "airflow.dag": "{{ dag.dag_id }}",
            "airflow.run": "{{ run_id }}",
            "airflow.task": "{{ task.task_id }}",
            **(labels or {}),
        },
    }
    with TaskGroup(group_id=group_id) as group:
        submit = HttpOperator(
            task_id="submit",
            http_conn_id=http_conn_id,
            method="POST",
            endpoint="/api/v1/runs",
            data=json_template(body),
            headers={"Content-Type": "application/json", "Idempotency-Key": IDEMPOTENCY_KEY},
            response_filter=_run_id,
            log_response=True,
            # A deferred POST could be sent again by the triggerer: submit synchronously.
            deferrable=False,
            execution_timeout=timedelta(minutes=5),
        )
        wait = HttpSensor(
            task_id="wait",
            http_conn_id=http_conn_id,
            method="GET",
            endpoint="/api/v1/runs/{{ ti.xcom_pull(task_ids='" + submit.task_id + "') }}",
            response_check=_run_finished,
            response_error_codes_allowlist=RESTARTING,
            mode="reschedule",
            poke_interval=poke_interval,
            timeout=timeout,
            execution_timeout=timedelta(minutes=5),
        )
        submit >> wait
    return group


def json_template(value: Any) -> str:
    """A Jinja template that renders ``value`` as JSON, rendering the templates inside it.

    ``{"date": "{{ ds }}"}`` becomes ``{{ {("date"): (((ds) | string))} | tojson }}``: one
    expression, so every value is escaped as JSON whatever it renders to.
    """
    return "{{ " + _expression(value) + " | tojson }}"


def _expression(value: Any) -> str:
    if isinstance(value, dict):
        items = ", ".join(f"{_expression(str(k))}: {_expression(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_expression(v) for v in value) + "]"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    parts = []
    at = 0
    for match in _TEMPLATE.finditer(text):
        if match.start() > at:
            parts.append(json.dumps(text[at : match.start()]))
        parts.append(f"(({match.group(1).strip()}) | string)")
        at = match.end()
    if at < len(text) or not parts:
        parts.append(json.dumps(text[at:]))
    return "(" + " ~ ".join(parts) + ")"


def _run_id(response) -> str:
    return response.json()["runId"]


def _run_finished(response, task) -> bool:
    run = response.json()
    state = run["state"]
    task.log.info("Sparkgate run %s is %s (attempt %s)", run["runId"], state, run.get("attempt"))
    if state == "SUCCEEDED":
        return True
    if state in FAILED_STATES:
        tail = _log_tail(task.http_conn_id, run["runId"])
        raise AirflowFailException(
            f"Sparkgate run {run['runId']} of job {run.get('job')} ended {state}: "
            f"{run.get('stateReason') or 'no reason given'}\n"
            f"--- last {LOG_TAIL_BYTES} bytes of the driver log ---\n{tail}"
        )
    return False


def _log_tail(conn_id: str, run_id: str) -> str:
    try:
        response = HttpHook(method="GET", http_conn_id=conn_id).run(
            f"/api/v1/runs/{run_id}/log",
            data={"tail": LOG_TAIL_BYTES},
            headers={"Accept": "text/plain"},
            extra_options={"check_response": False, "timeout": 30},
        )
    except Exception as e:  # noqa: BLE001 - the failure itself matters more than its log
        return f"(driver log not available: {e})"
    if response.status_code != 200:
        return f"(driver log not available: HTTP {response.status_code})"
    return response.text
