"""Rendering a task's templates as a worker would, without a database or a scheduler."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime

from airflow.sdk.api.datamodels._generated import DagRun, DagRunState, DagRunType, TIRunContext
from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance


def runtime_ti(
    dag,
    task_id: str,
    *,
    logical_date: datetime | None,
    run_after: datetime,
    run_type: DagRunType,
    conf: dict | None = None,
    run_id: str | None = None,
    try_number: int = 1,
) -> RuntimeTaskInstance:
    """A task instance of a copy of the task (rendering changes the task in place)."""
    task = copy.deepcopy(dag.get_task(task_id))
    run_id = run_id or f"{run_type.value}__{(logical_date or run_after).isoformat()}"
    dag_run = DagRun(
        dag_id=dag.dag_id,
        run_id=run_id,
        logical_date=logical_date,
        data_interval_start=logical_date,
        data_interval_end=logical_date,
        run_after=run_after,
        start_date=run_after,
        end_date=None,
        run_type=run_type,
        state=DagRunState.RUNNING,
        conf=conf,
        consumed_asset_events=[],
        partition_key=None,
    )
    if conf:
        # What the scheduler does: the run's conf overrides the DAG's param defaults.
        for key, value in conf.items():
            task.params[key] = value
    return RuntimeTaskInstance.model_construct(
        id=uuid.uuid4(),
        task_id=task_id,
        dag_id=dag.dag_id,
        run_id=run_id,
        try_number=try_number,
        map_index=-1,
        dag_version_id=uuid.uuid4(),
        task=task,
        max_tries=task.retries,
        start_date=run_after,
        _ti_context_from_server=TIRunContext(dag_run=dag_run, max_tries=task.retries),
    )


def rendered(dag, task_id: str, **kwargs):
    ti = runtime_ti(dag, task_id, **kwargs)
    ti.render_templates()
    return ti.task, ti
