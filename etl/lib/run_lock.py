"""One `akhbar` run at a time per home: an exclusive lock that the kernel drops when its process dies.

A `flock` lives as long as the open file description holding it, so a run ended by SIGKILL, the OOM killer or a
reboot leaves no stale lock behind, and a live run's lock is never mistaken for a dead one's. The file holds
the holder's pid, for the message that names it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class HomeBusyError(Exception):
    """Another live process holds the home's run lock."""

    def __init__(self, home: Path, pid: int | None) -> None:
        self.home = home
        self.pid = pid
        holder = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"a run is already in progress on {home} ({holder}); wait for it to end, then run again"
        )


@contextmanager
def hold_run_lock(lock_path: Path) -> Iterator[None]:
    """Hold the lock for the block, or raise `HomeBusyError` at once (never wait: a wait is what hid killed runs)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HomeBusyError(lock_path.parent, _holder_pid(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    # None while the holder has locked the file but not yet written its pid
    return int(text) if text.isdigit() else None
