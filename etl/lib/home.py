"""An installation's home folder and where each of its parts lives."""

from __future__ import annotations

import errno
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

# A run writes its raw archive, the warehouse, Dagster's event log and dbt's artifacts here; below this, it
# would fail part-way (SQLite's "disk I/O error" deep in Dagster) instead of before it starts.
MIN_FREE_BYTES = 64 * 2**20

# the instance settings shipped at the repository root (etl/lib/home.py -> ../../dagster.yaml)
DAGSTER_YAML = Path(__file__).resolve().parents[2] / "dagster.yaml"


@dataclass(frozen=True)
class Home:
    """An installation's folder: warehouse, published copy, raw archive, Dagster instance."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published.duckdb"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def dagster(self) -> Path:
        return self.root / "dagster"

    @property
    def run_lock(self) -> Path:
        """Held by the one `akhbar` process running on this home (`etl.lib.run_lock`)."""
        return self.root / "run.lock"

    @property
    def data_docs(self) -> Path:
        return self.root / "data_docs"

    @property
    def dbt_target(self) -> Path:
        """dbt's artifacts of the last build (run results, logs) and the parse cache the next build reuses."""
        return self.root / "dbt"

    def prepare(self) -> None:
        """Create the home with Dagster's instance settings, so the duckdb pool limits every run made there.

        Raises `OSError` naming the home when it cannot be written or its disk is nearly full."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._check_writable()
        self.dagster.mkdir(exist_ok=True)
        if not (self.dagster / "dagster.yaml").exists():
            shutil.copy(DAGSTER_YAML, self.dagster / "dagster.yaml")

    def _check_writable(self) -> None:
        probe = self.root / f".write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"")  # a read-only mount or a folder of someone else's fails here
        probe.unlink()
        free = shutil.disk_usage(self.root).free
        if free < MIN_FREE_BYTES:
            raise OSError(
                errno.ENOSPC,
                f"disk nearly full: {free // 2**20} MB free, a run needs at least {MIN_FREE_BYTES // 2**20} MB",
                str(self.root),
            )
