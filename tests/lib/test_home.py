"""A home folder gets Dagster's instance settings, so the duckdb pool limits every run made there."""

import os
from pathlib import Path

import yaml

from etl.lib.home import Home


def test_activate_points_the_resources_at_the_home_and_installs_the_pool_limit(tmp_path: Path, monkeypatch):
    for name in ("AKHBAR_HOME", "AKHBAR_SITES", "AKHBAR_ARCHIVE", "DUCKDB_PATH", "DAGSTER_HOME"):
        monkeypatch.setenv(name, "")  # recorded, so whatever activate() sets is undone after the test
    home = Home(tmp_path / "home")
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites: []\n", encoding="utf-8")
    home.activate(sites)
    settings = yaml.safe_load((home.dagster / "dagster.yaml").read_text(encoding="utf-8"))
    assert settings["concurrency"]["pools"]["default_limit"] == 1
    assert os.environ["DUCKDB_PATH"] == str(home.warehouse.resolve())
    assert os.environ["DAGSTER_HOME"] == str(home.dagster.resolve())
    assert os.environ["AKHBAR_SITES"] == str(sites.resolve())
