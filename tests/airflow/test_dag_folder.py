"""The DAG folder parses cleanly, does no work while it is parsed, and follows our rules."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.http.sensors.http import HttpSensor
from conftest import DAGS


@pytest.fixture(scope="module")
def bag(monkeypatch_module):
    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_the_dag_folder_imports_without_errors_or_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a DAG file opened a connection while being parsed")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert "market_data_daily" in bag.dag_ids


def test_every_dag_has_tags_retries_and_timeouts(bag):
    assert bag.dags
    for dag in bag.dags.values():
        assert dag.tags, dag.dag_id
        assert dag.dagrun_timeout, dag.dag_id
        for task in dag.tasks:
            assert task.retries >= 1, task.task_id
            assert task.execution_timeout, task.task_id
            if isinstance(task, HttpSensor):
                assert task.mode == "reschedule", task.task_id
                assert 0 < task.timeout <= timedelta(hours=6).total_seconds(), task.task_id


def test_market_data_daily_is_scheduled_as_agreed(bag):
    dag = bag.dags["market_data_daily"]
    assert dag.timetable.expression == "0 3 * * 1-5"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.params.get_param("custom_date").value is None
    chain = [
        "ingest.submit",
        "ingest.wait",
        "curate.submit",
        "curate.wait",
        "adjust.submit",
        "adjust.wait",
        "analytics.submit",
        "analytics.wait",
        "quality.submit",
        "quality.wait",
        "regimes.submit",
        "regimes.wait",
    ]
    assert sorted(dag.task_ids) == sorted(chain)
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert dag.get_task(downstream).upstream_task_ids == {upstream}
    for task in dag.tasks:
        if isinstance(task, HttpOperator):
            assert task.deferrable is False
            assert task.method == "POST"
            assert task.retry_exponential_backoff
