"""Shared fixtures: the bundled sample site on loopback, a fresh home folder, and the dbt manifest."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # @dbt_assets reads manifest.json when the definitions are imported
    from etl.runner import prepare_dbt

    prepare_dbt()


@pytest.fixture
def sample_site() -> Iterator:
    from etl.sample_site.server import serve_sample_site

    with serve_sample_site() as site:
        yield site


@pytest.fixture
def sites_file(tmp_path: Path, sample_site) -> Path:
    from etl.sample_site.server import sites_yaml

    path = tmp_path / "sites.yaml"
    path.write_text(sites_yaml(sample_site.base_url), encoding="utf-8")
    return path


def akhbar_env() -> dict[str, str]:
    """This environment without the variables a home sets: a child `akhbar` finds its own."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AKHBAR_", "DUCKDB_", "DAGSTER_"))
    }


def run_akhbar(*args: str, home: Path) -> subprocess.CompletedProcess:
    """`akhbar` in a child process, as an operator runs it, with its own environment."""
    env = akhbar_env()
    return subprocess.run(
        [sys.executable, "-m", "etl.cli", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
        check=False,
    )
