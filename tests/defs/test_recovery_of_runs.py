"""Recovery in a real Dagster instance: a run whose process was killed holding the `duckdb` pool's slot is
marked failed and its slot freed, so the next run gets the slot; a live run `akhbar` did not start is left alone."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from etl.lib.home import DAGSTER_YAML
from etl.recovery import PID_TAG, PoolHeldByLiveRunError, recover_abandoned_runs

REPO = Path(__file__).resolve().parents[2]
# A run that claims the pool's slot and holds it until it is killed; tagged as `akhbar run` tags its runs when
# argv[2] says so.
HOLD_THE_SLOT = """
import sys, time
import dagster as dg
from etl.recovery import process_tags

@dg.asset(pool="duckdb")
def holds_the_slot() -> None:
    print("holding", flush=True)
    time.sleep(600)

with dg.DagsterInstance.from_config(sys.argv[1]) as instance:
    dg.materialize([holds_the_slot], instance=instance, tags=process_tags() if sys.argv[2] == "akhbar" else {})
"""


@dg.asset(pool="duckdb")
def needs_the_slot() -> None:
    """Any step of the pool: it starts only once no run holds the slot."""


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    shutil.copy(DAGSTER_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def _start_holder(instance_dir: str, started_by: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_SLOT, instance_dir, started_by],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        start_new_session=True,
    )
    assert process.stdout.readline() == "holding\n"
    return process


def _slot_holders(instance: dg.DagsterInstance) -> list[str]:
    return [slot.run_id for slot in instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots]


@pytest.mark.timeout(300)
def test_a_killed_runs_slot_is_freed_and_the_run_marked_failed(instance: dg.DagsterInstance):
    holder = _start_holder(instance.root_directory, "akhbar")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    (killed,) = instance.get_run_records()
    assert killed.dagster_run.status == dg.DagsterRunStatus.STARTED  # what SIGKILL leaves behind
    assert _slot_holders(instance) == [killed.dagster_run.run_id]

    abandoned = recover_abandoned_runs(instance)

    assert [(run.run_id, run.pid) for run in abandoned] == [
        (killed.dagster_run.run_id, killed.dagster_run.tags[PID_TAG])
    ]
    assert instance.get_run_by_id(killed.dagster_run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert _slot_holders(instance) == []
    # the next run of the pool starts (before the recovery it waited on the slot for ever)
    assert dg.materialize([needs_the_slot], instance=instance).success


@pytest.mark.timeout(300)
def test_a_live_run_started_outside_akhbar_is_left_alone_and_named(instance: dg.DagsterInstance):
    holder = _start_holder(instance.root_directory, "ui")
    try:
        with pytest.raises(PoolHeldByLiveRunError) as held:
            recover_abandoned_runs(instance)
        (live,) = instance.get_run_records()
        assert live.dagster_run.run_id in str(held.value)
        assert live.dagster_run.status == dg.DagsterRunStatus.STARTED
        assert _slot_holders(instance) == [live.dagster_run.run_id]
    finally:
        holder.kill()
        holder.wait()
