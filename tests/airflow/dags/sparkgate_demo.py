"""A test DAG: one run of the demo job, failing on purpose when fail_with is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import DAG, Param

from sparkgate_tasks import spark_job

with DAG(
    dag_id="sparkgate_demo",
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    tags=["sparkgate", "test"],
    params={"fail_with": Param("", type="string")},
    default_args={"retries": 1, "retry_delay": timedelta(seconds=1)},
) as dag:
    spark_job(
        "airflow-demo",
        group_id="demo",
        params={"date": "2024-03-15", "fail_with": "{{ params.fail_with }}"},
        poke_interval=timedelta(seconds=1),
        timeout=timedelta(minutes=5),
    )
