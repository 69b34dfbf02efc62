"""Running the daily job outside the UI: one partition, in-process or with the multiprocess executor."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import dagster as dg

from etl.defs.progress import step_failure_reason
from etl.recovery import process_tags


def prepare_dbt() -> None:
    """Parse the dbt project when its manifest is missing or older than a model, test or macro, so
    `@dbt_assets` finds a manifest that knows every node `dbt build` runs (an unknown test stops the step)."""
    from etl.defs.transform.project import dbt_preparer, dbt_project, manifest_is_stale

    if manifest_is_stale(dbt_project):
        dbt_preparer.prepare(dbt_project)


@functools.cache
def definitions() -> dg.Definitions:
    prepare_dbt()
    from etl.definitions import defs

    return defs()


def daily_pipeline_job() -> dg.JobDefinition:
    """Module-level, so the multiprocess executor can rebuild the job in its child processes."""
    return definitions().resolve_job_def("daily_pipeline")


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    metadata: dict[str, dict] = field(default_factory=dict)  # asset key -> materialization metadata
    failed_steps: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)


def run_partition(
    partition_key: str, *, from_archive: bool = False, executor: str = "in_process", verbose: bool = False
) -> RunOutcome:
    """Materialize one daily partition of the whole graph and report what each asset recorded."""
    run_config = _run_config(from_archive, verbose, executor)
    instance = dg.DagsterInstance.get()
    if executor == "multiprocess":
        result = dg.execute_job(
            dg.reconstructable(daily_pipeline_job),
            instance=instance,
            run_config=run_config,
            tags={"dagster/partition": partition_key, **process_tags()},
        )
    else:
        result = daily_pipeline_job().execute_in_process(
            partition_key=partition_key,
            instance=instance,
            run_config=run_config,
            raise_on_error=False,
            tags=process_tags(),
        )
    outcome = RunOutcome(success=result.success, run_id=result.run_id)
    for event in result.all_events:
        if event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            key = "/".join(materialization.asset_key.path)
            outcome.metadata[key] = {k: v.value for k, v in materialization.metadata.items()}
        elif event.is_step_failure:
            outcome.failed_steps.append(f"{event.step_key}: {step_failure_reason(event)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            outcome.checks.append((evaluation.check_name, evaluation.passed))
    return outcome


def _run_config(from_archive: bool, verbose: bool, executor: str) -> dict:
    ops = ("raw__discovered_urls", "fetch_and_extract")  # op names of the assets taking IngestConfig
    execution = (
        # forkserver with the definitions preloaded: each step's process starts without importing them again
        {
            "config": {
                "multiprocess": {"start_method": {"forkserver": {"preload_modules": ["etl.definitions"]}}}
            }
        }
        if executor == "multiprocess"
        else {"config": {"in_process": {}}}
    )
    return {
        "execution": execution,
        "ops": {op: {"config": {"from_archive": from_archive}} for op in ops},
        # Dagster's own console log is for debugging; an operator gets one line per stage
        "loggers": {"console": {"config": {"log_level": "DEBUG"}}} if verbose else {"progress": {}},
    }
