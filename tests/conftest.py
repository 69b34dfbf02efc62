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
    from demo.server import serve_sample_site

    with serve_sample_site() as site:
        yield site


@pytest.fixture
def sites_file(tmp_path: Path, sample_site) -> Path:
    from demo.server import sites_yaml

    path = tmp_path / "sites.yaml"
    path.write_text(sites_yaml(sample_site.base_url), encoding="utf-8")
    return path


def akhbar_command(*args: str, home: Path) -> list[str]:
    """The command line of `akhbar` on `home`, as an operator types it."""
    return [sys.executable, "-m", "etl.cli", *args, "--home", str(home)]


def akhbar_env() -> dict[str, str]:
    """This environment without the variables a home sets, so a child `akhbar` finds its home by `--home`."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AKHBAR_", "DUCKDB_", "DAGSTER_"))
    }


def run_akhbar(*args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """`akhbar` in a child process, as an operator runs it, with its own environment."""
    return subprocess.run(
        akhbar_command(*args, home=home),
        capture_output=True,
        text=True,
        env=akhbar_env(),
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
