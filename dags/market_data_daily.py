"""The market-data pipeline for one business date: ingest, curate, adjust, analytics, quality and
regimes.

Runs on weekdays at 03:00 UTC for the previous weekday. Trigger it by hand with ``custom_date``
(``YYYY-MM-DD``) to backfill or redo one date: every job is idempotent, so a rerun for the same
date gives the same output. The Spark jobs are registered in Sparkgate (spark-jobs/src/main/jobs);
this DAG only decides when and for which date they run. The last stage, the regime report, is a
PySpark job; the others run on the JVM.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import DAG, Param, chain

from sparkgate_tasks import spark_job

# The business date: custom_date when given; else the weekday before the run's date. Manual runs
# may have no logical date in Airflow 3, so the run's date falls back to when it was triggered.
BUSINESS_DATE = (
    "{{ params.custom_date or "
    "((dag_run.logical_date or dag_run.run_after)"
    " - macros.timedelta(days={0: 3, 6: 2}.get("
    "(dag_run.logical_date or dag_run.run_after).weekday(), 1))) | ds }}"
)

with DAG(
    dag_id="market_data_daily",
    description="Daily market data: ingest to analytics, a quality gate and a regime report",
    schedule="0 3 * * 1-5",
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=8),
    tags=["sparkgate", "market-data"],
    params={
        "custom_date": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Process this date (YYYY-MM-DD) instead of the previous weekday.",
        )
    },
    default_args={
        "owner": "market-data",
        "retries": 3,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    doc_md=__doc__,
) as dag:
    date = {"date": BUSINESS_DATE}
    chain(
        spark_job("market-ingest", params=date, timeout=timedelta(hours=1)),
        spark_job("market-curate", params=date, timeout=timedelta(hours=1)),
        spark_job("market-adjust", params=date, timeout=timedelta(hours=1)),
        spark_job("market-analytics", params=date, timeout=timedelta(hours=1)),
        spark_job("market-quality", params=date, timeout=timedelta(minutes=30)),
        spark_job("market-regimes", params=date, timeout=timedelta(minutes=30)),
    )
