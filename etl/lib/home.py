"""An installation's home folder and where each of its parts lives."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

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

    def activate(self, sites_file: Path) -> None:
        """Point the resources (through their environment variables) and Dagster's instance at this home."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.dagster.mkdir(exist_ok=True)
        if not (self.dagster / "dagster.yaml").exists():
            shutil.copy(DAGSTER_YAML, self.dagster / "dagster.yaml")
        os.environ.update(
            {
                "AKHBAR_HOME": str(self.root.resolve()),
                "AKHBAR_SITES": str(sites_file.resolve()),
                "AKHBAR_ARCHIVE": str(self.archive.resolve()),
                "DUCKDB_PATH": str(self.warehouse.resolve()),
                "DAGSTER_HOME": str(self.dagster.resolve()),
            }
        )
