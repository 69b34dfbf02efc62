"""Recovery from a killed run: before a run starts, the home's runs that a dead process left unfinished are
marked failed and their slots in the `duckdb` pool freed, through Dagster's own instance API.

A run killed with SIGKILL (the OOM killer, a reboot, a cancelled container) never reports its end: Dagster's
instance keeps it STARTED and keeps the pool slot its step claimed, and the next run of the home would wait on
that slot forever. `akhbar` tags each run with the process running it; a run so tagged that is unfinished
while this process holds the home's run lock (`etl.lib.run_lock`) belongs to a process that is gone.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import dagster as dg

PID_TAG = "akhbar/pid"
HOST_TAG = "akhbar/host"

_UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class AbandonedRun:
    """A run whose process died before the run ended, now marked failed."""

    run_id: str
    partition: str | None
    pid: str
    host: str | None


class PoolHeldByLiveRunError(Exception):
    """A run that `akhbar` did not start (one from the UI) is unfinished and holds or awaits a pool's slot."""

    def __init__(self, run_id: str, pool: str) -> None:
        super().__init__(
            f"run {run_id}, not started by akhbar (from the UI?), holds the {pool!r} pool's slot: "
            "let it finish or terminate it in the UI, then run again"
        )


def process_tags() -> dict[str, str]:
    """The tags that name the process running an `akhbar` run, so a later run can tell it was abandoned."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def recover_abandoned_runs(instance: dg.DagsterInstance) -> list[AbandonedRun]:
    """Mark failed the unfinished runs an `akhbar` process started, and free every slot held by a finished run.

    Call it only while holding the home's run lock: then no `akhbar` process is running on this home, so every
    such run was abandoned. Raises `PoolHeldByLiveRunError` when a run `akhbar` did not start holds a slot: this
    process would otherwise wait on it, and Dagster's in-process executor waits deaf to SIGTERM.
    """
    abandoned = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_UNFINISHED)):
        run = record.dagster_run
        if PID_TAG not in run.tags:
            continue
        host = run.tags.get(HOST_TAG)
        instance.report_run_failed(
            run,
            message=f"process {run.tags[PID_TAG]} on {host} ended without finishing this run (killed?): "
            "marked failed by the next `akhbar` run of this home",
        )
        abandoned.append(AbandonedRun(run.run_id, run.tags.get("dagster/partition"), run.tags[PID_TAG], host))
    _free_slots_of_finished_runs(instance)
    return abandoned


def _free_slots_of_finished_runs(instance: dg.DagsterInstance) -> None:
    """What Dagster's daemon does with `run_monitoring.free_slots_after_run_end_seconds`, for a home that runs
    without a daemon: a slot claimed or awaited by a finished (or deleted) run goes back to its pool."""
    storage = instance.event_log_storage
    for pool in sorted(storage.get_concurrency_keys()):
        info = storage.get_concurrency_info(pool)
        holders = {slot.run_id for slot in info.claimed_slots} | {step.run_id for step in info.pending_steps}
        for run_id in sorted(holders):
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
            else:
                raise PoolHeldByLiveRunError(run_id, pool)
