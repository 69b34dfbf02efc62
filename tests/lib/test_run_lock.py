"""One run per home: the lock names its live holder, and a holder killed with SIGKILL leaves no lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from etl.lib.run_lock import HomeBusyError, hold_run_lock

REPO = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from etl.lib.run_lock import hold_run_lock
with hold_run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def holder(tmp_path: Path):
    lock = tmp_path / "run.lock"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert process.stdout.readline() == "held\n"
    yield lock, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_live_holder_is_named_by_its_pid(holder):
    lock, process = holder
    with pytest.raises(HomeBusyError) as busy, hold_run_lock(lock):
        pytest.fail("took a lock another live process holds")
    assert busy.value.pid == process.pid
    assert f"pid {process.pid}" in str(busy.value) and "\n" not in str(busy.value)


def test_a_holder_killed_with_sigkill_leaves_the_lock_free(holder):
    lock, process = holder
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with hold_run_lock(lock):
        assert lock.read_text().strip() == str(os.getpid())
