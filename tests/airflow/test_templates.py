"""The submit and wait tasks render right for scheduled runs and for manual runs, which in
Airflow 3 may have no logical date."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from unittest import mock

import pytest
from airflow.sdk.api.datamodels._generated import DagRunType
from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
from conftest import fresh_dag
from rendering import rendered


@pytest.fixture(scope="module")
def dag():
    return fresh_dag("market_data_daily")


def at(day: int, hour: int = 3) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    "logical_date, run_after, conf, business_date",
    [
        # Scheduled at 03:00 on weekdays: the weekday before.
        (at(19), at(19), None, "2024-03-18"),  # Tuesday -> Monday
        (at(18), at(18), None, "2024-03-15"),  # Monday -> Friday
        # Manual without a logical date: the weekday before the trigger time.
        (None, at(17, 14), None, "2024-03-15"),  # Sunday -> Friday
        (None, at(20, 14), None, "2024-03-19"),  # Wednesday -> Tuesday
        # custom_date wins, scheduled or not.
        (None, at(20, 14), {"custom_date": "2024-02-29"}, "2024-02-29"),
        (at(19), at(19), {"custom_date": "2023-12-29"}, "2023-12-29"),
    ],
)
def test_submit_renders_the_business_date_and_a_stable_key(
    dag, logical_date, run_after, conf, business_date
):
    run_type = DagRunType.SCHEDULED if logical_date else DagRunType.MANUAL
    task, ti = rendered(
        dag,
        "curate.submit",
        logical_date=logical_date,
        run_after=run_after,
        run_type=run_type,
        conf=conf,
    )
    body = json.loads(task.data)
    assert body["job"] == "market-curate"
    assert body["params"] == {"date": business_date}
    assert body["labels"] == {
        "airflow.dag": "market_data_daily",
        "airflow.run": ti.run_id,
        "airflow.task": "curate.submit",
    }
    assert task.headers == {
        "Content-Type": "application/json",
        "Idempotency-Key": f"market_data_daily/{ti.run_id}/curate.submit/-1",
    }
    # A retry is the same task instance with a higher try number: the same key.
    retried, _ = rendered(
        dag,
        "curate.submit",
        logical_date=logical_date,
        run_after=run_after,
        run_type=run_type,
        conf=conf,
        try_number=3,
    )
    assert retried.headers == task.headers
    assert retried.data == task.data


def test_each_task_and_run_gets_its_own_key(dag):
    keys = set()
    for task_id in ("ingest.submit", "curate.submit", "quality.submit"):
        for day in (18, 19):
            task, _ = rendered(
                dag, task_id, logical_date=at(day), run_after=at(day), run_type=DagRunType.SCHEDULED
            )
            keys.add(task.headers["Idempotency-Key"])
    assert len(keys) == 6


def test_wait_polls_the_run_the_submit_returned(dag):
    def xcom_pull(self, task_ids=None, **kwargs):
        assert task_ids == "analytics.submit"
        return "0b0c3f4e-8a4e-4a51-9d1c-3d2d7f0b9a11"

    with mock.patch.object(RuntimeTaskInstance, "xcom_pull", xcom_pull):
        task, _ = rendered(
            dag, "analytics.wait", logical_date=None, run_after=at(20), run_type=DagRunType.MANUAL
        )
    assert task.endpoint == "/api/v1/runs/0b0c3f4e-8a4e-4a51-9d1c-3d2d7f0b9a11"
    assert task.mode == "reschedule"


def test_values_are_escaped_as_json():
    from jinja2.sandbox import SandboxedEnvironment

    from sparkgate_tasks import json_template

    template = json_template(
        {"a": 'quote " and \\ backslash', "n": 7, "b": True, "none": None, "t": "x-{{ v }}-y"}
    )
    text = SandboxedEnvironment().from_string(template).render(v='"<&>"')
    assert json.loads(text) == {
        "a": 'quote " and \\ backslash',
        "n": 7,
        "b": True,
        "none": None,
        "t": 'x-"<&>"-y',
    }
