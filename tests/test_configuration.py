"""Configuration is handed to a run (arguments, the run's config of resources), never written to os.environ:
two homes run one after the other in one process each get their own warehouse and Dagster instance, and the
environment is as it was before."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo import expected

DAY = "2024-10-28"
# the variables a home used to be announced in: none may be set, so nothing can find a home through them
HOME_VARIABLES = (
    "AKHBAR_HOME",
    "AKHBAR_SITES",
    "AKHBAR_ARCHIVE",
    "DUCKDB_PATH",
    "DAGSTER_HOME",
    "AKHBAR_FIRST_DAY",
)
pytestmark = pytest.mark.timeout(1200)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HOME_VARIABLES:
        monkeypatch.setenv(name, "")  # recorded first, so whatever a run sets is undone after the test
        monkeypatch.delenv(name)


def _announced(environment: Mapping[str, str]) -> dict[str, str]:
    return {name: environment[name] for name in HOME_VARIABLES if name in environment}


def _articles(home: Path) -> set[str]:
    with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
        return {url for (url,) in conn.sql("select url from marts.articles").fetchall()}


def _runs(home: Path) -> list[str]:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return [record.dagster_run.tags.get("dagster/partition") for record in instance.get_run_records()]


def test_two_homes_run_in_one_process_each_get_their_warehouse_and_instance(
    tmp_path: Path, sample_site, clean_environment: None
):
    from demo.server import sites_yaml
    from etl.cli import main

    homes = [tmp_path / "first", tmp_path / "second"]
    environments = []
    for home in homes:
        home.mkdir()
        sites = home / "sites.yaml"
        sites.write_text(sites_yaml(sample_site.base_url), encoding="utf-8")
        assert main(["run", "--sites", str(sites), "--date", DAY, "--home", str(home)]) == 0
        assert _announced(os.environ) == {}
        environments.append(dict(os.environ))
    # the first run may import libraries that set their own variables; the second changes nothing at all
    assert environments[0] == environments[1]

    pages = {page["url"] for page in expected(sample_site.base_url)["pages"]}
    for home in homes:
        assert _articles(home) == pages, home
        assert _runs(home) == [DAY], home


def test_the_ui_environment_points_dagster_dev_at_the_home_without_touching_this_process(
    tmp_path: Path, sites_file: Path, clean_environment: None
):
    from etl.ui import ui_environment

    home = tmp_path / "home"
    before = dict(os.environ)
    environment = ui_environment(home, sites_file, {"PATH": "/usr/bin"})

    assert dict(os.environ) == before
    assert environment == {
        "PATH": "/usr/bin",
        "AKHBAR_HOME": str(home.resolve()),
        "AKHBAR_SITES": str(sites_file.resolve()),
        "AKHBAR_ARCHIVE": str((home / "archive").resolve()),
        "DUCKDB_PATH": str((home / "warehouse.duckdb").resolve()),
        "DAGSTER_HOME": str((home / "dagster").resolve()),
        "AKHBAR_FIRST_DAY": date.today().isoformat(),  # a home without data begins today
    }
