"""Running the daily job outside the UI: one partition, in-process or with the multiprocess executor."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from etl.defs.progress import TERSE_LOGGER, step_failure_reason
from etl.lib.home import Home
from etl.recovery import process_tags

# Dagster's executor warns once per blocking check of a step that succeeded without a result for it
_EXECUTOR_LOGGER = "dagster._core.execution.plan.active"


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
    partition_key: str,
    home: Home,
    sites_file: Path,
    instance: dg.DagsterInstance,
    *,
    from_archive: bool = False,
    executor: str = "in_process",
    verbose: bool = False,
) -> RunOutcome:
    """Materialize one daily partition of the whole graph on `home` and report what each asset recorded.

    The home reaches the resources through the run's config, and the run is recorded in `instance`."""
    from etl.defs.resources import home_run_config

    run_config = {
        **_run_config(from_archive, verbose, executor),
        "resources": home_run_config(home, sites_file),
    }
    with contextlib.ExitStack() as stack:
        if not verbose:
            stack.enter_context(_checks_skipped_by_design_unlogged())
        result = _execute(partition_key, executor, instance, run_config)
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


def _execute(
    partition_key: str, executor: str, instance: dg.DagsterInstance, run_config: dict
) -> dg.ExecuteInProcessResult | dg.ExecutionResult:
    if executor == "multiprocess":
        return dg.execute_job(
            dg.reconstructable(daily_pipeline_job),
            instance=instance,
            run_config=run_config,
            tags={"dagster/partition": partition_key, **process_tags()},
        )
    return daily_pipeline_job().execute_in_process(
        partition_key=partition_key,
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
        tags=process_tags(),
    )


class _SkippedByDesign(logging.Filter):
    """Drops the executor's "Blocking asset check ... emitted no result in step X" for the dbt step, which
    skips its build, and so its tests, on purpose when the run loaded nothing (etl/defs/transform/dbt.py):
    one warning per dbt test about a decision, not a fault. `--verbose` keeps them."""

    def __init__(self, step_key: str) -> None:
        super().__init__()
        self._marker = f"emitted no result in step {step_key!r}"

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Blocking asset check") and self._marker in message)


@contextlib.contextmanager
def _checks_skipped_by_design_unlogged() -> Iterator[None]:
    from etl.defs.transform.dbt import news_dbt_models

    executor_log = logging.getLogger(_EXECUTOR_LOGGER)
    quiet = _SkippedByDesign(news_dbt_models.op.name)
    executor_log.addFilter(quiet)
    try:
        yield
    finally:
        executor_log.removeFilter(quiet)


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
        "loggers": {"console": {"config": {"log_level": "DEBUG"}}} if verbose else {TERSE_LOGGER: {}},
    }
