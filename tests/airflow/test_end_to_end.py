"""The DAGs in a real Airflow (dag.test()) against a real control plane with real Spark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from airflow.providers.http.sensors.http import HttpSensor
from airflow.sdk.api.datamodels._generated import DagRunType
from airflow.utils.state import DagRunState, TaskInstanceState
from conftest import REPO, fresh_dag
from rendering import runtime_ti


@pytest.fixture(scope="module")
def demo_job(control_plane):
    jar = REPO / "spark-jobs" / "target" / "spark-jobs.jar"
    control_plane.put_job(
        "airflow-demo",
        {
            "type": "jvm",
            "appResource": str(jar),
            "mainClass": "io.sparkgate.jobs.demo.DemoJob",
            "args": ["--date", "${date}", "--rows", "200", "--fail-with", "${fail_with}"],
            "parameters": {
                "date": {"type": "date", "required": True},
                "fail_with": {"type": "string", "default": ""},
            },
            "timeoutSeconds": 300,
        },
    )
    return "airflow-demo"


def quick(dag):
    """Poll every second and retry at once: the DAG as written, on a test's time scale."""
    for task in dag.tasks:
        if isinstance(task, HttpSensor):
            task.poke_interval = 1
        task.retry_delay = timedelta(seconds=1)
        task.retry_exponential_backoff = False
    return dag


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in dag_run.get_task_instances()}


def test_market_data_daily_runs_every_stage_through_sparkgate(control_plane):
    dag = quick(fresh_dag("market_data_daily"))
    dag_run = dag.test(logical_date=None, run_conf={"custom_date": "2024-03-15"})
    assert states(dag_run) == {task_id: TaskInstanceState.SUCCESS for task_id in dag.task_ids}
    assert dag_run.state == DagRunState.SUCCESS

    runs = control_plane.runs(label=f"airflow.run={dag_run.run_id}")
    by_job = {run["job"]: run for run in runs}
    order = ["ingest", "curate", "adjust", "analytics", "quality", "regimes"]
    assert sorted(by_job) == sorted(f"market-{stage}" for stage in order)
    for job, run in by_job.items():
        assert run["state"] == "SUCCEEDED", run
        assert run["params"]["date"] == "2024-03-15", run
        assert run["submittedBy"] == "airflow"
        stage = job.removeprefix("market-")
        assert run["idempotencyKey"] == f"market_data_daily/{dag_run.run_id}/{stage}.submit/-1"
        assert run["labels"]["airflow.dag"] == "market_data_daily"
        # What the sensor returned is what the submit created.
        ti = dag_run.get_task_instance(f"{stage}.submit")
        assert ti.xcom_pull(task_ids=f"{stage}.submit") == run["runId"]
    # The PySpark stage summarised the day the JVM stages made, and reported it.
    regimes = by_job["market-regimes"]["metrics"]
    assert regimes["passed"] is True
    assert regimes["rows_read"] == by_job["market-analytics"]["metrics"]["rows_written"]
    assert sum(regimes["regimes"].values()) == regimes["rows_read"]
    # The stages ran in order.
    finished = [by_job[f"market-{stage}"]["finishedAt"] for stage in order]
    created = [by_job[f"market-{stage}"]["createdAt"] for stage in order]
    for earlier_end, later_start in zip(finished, created[1:], strict=False):
        assert earlier_end <= later_start


def submit_in(dag, run_id: str):
    """The submit task of an existing DAG run, executed as its worker would."""
    ti = runtime_ti(
        dag,
        "demo.submit",
        logical_date=None,
        run_after=datetime.now(UTC),
        run_type=DagRunType.MANUAL,
        run_id=run_id,
        try_number=2,
    )
    context = ti.get_template_context()
    ti.task.render_template_fields(context)
    return ti.task.execute(context)


def test_a_failed_run_fails_the_dag_with_its_reason_and_a_retry_makes_a_linked_run(
    control_plane, demo_job, capfd
):
    dag = quick(fresh_dag("sparkgate_demo"))
    dag_run = dag.test(logical_date=None, run_conf={"fail_with": "boom: bad input for 2024-03-15"})
    assert dag_run.state == DagRunState.FAILED
    assert states(dag_run) == {
        "demo.submit": TaskInstanceState.SUCCESS,
        "demo.wait": TaskInstanceState.FAILED,
    }
    # Failed at once: Sparkgate already applied the job's retry policy, Airflow retries nothing.
    assert dag_run.get_task_instance("demo.wait").try_number == 1
    (first,) = control_plane.runs(label=f"airflow.run={dag_run.run_id}")
    assert first["state"] == "FAILED"
    log = capfd.readouterr()
    output = log.out + log.err
    assert f"Sparkgate run {first['runId']} of job airflow-demo ended FAILED" in output
    assert "boom: bad input for 2024-03-15" in output  # the reason and the driver log's tail
    assert "last 4096 bytes of the driver log" in output

    # The submit task run again for the same task instance (a retry, or a clear): a new run that
    # points to the failed one.
    second_id = submit_in(dag, dag_run.run_id)
    assert second_id != first["runId"]
    second = control_plane.get(f"/api/v1/runs/{second_id}")
    assert second["previousRunId"] == first["runId"]
    assert second["idempotencyKey"] == first["idempotencyKey"]


def test_the_submit_task_run_twice_creates_one_run(control_plane, demo_job):
    dag = quick(fresh_dag("sparkgate_demo"))
    dag_run = dag.test(logical_date=None)
    assert dag_run.state == DagRunState.SUCCESS
    (run,) = control_plane.runs(label=f"airflow.run={dag_run.run_id}")
    assert run["state"] == "SUCCEEDED"
    # Executed again for the same task instance, by a retry or a second worker: the same run.
    assert submit_in(dag, dag_run.run_id) == run["runId"]
    assert submit_in(dag, dag_run.run_id) == run["runId"]
    assert len(control_plane.runs(label=f"airflow.run={dag_run.run_id}")) == 1
