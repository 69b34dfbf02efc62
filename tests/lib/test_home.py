"""A home folder gets Dagster's instance settings, so the duckdb pool limits every run made there."""

import os
from pathlib import Path

import yaml

from etl.lib.home import Home


def test_prepare_installs_the_pool_limit_and_leaves_the_environment_alone(tmp_path: Path):
    before = dict(os.environ)
    home = Home(tmp_path / "home")
    home.prepare()
    settings = yaml.safe_load((home.dagster / "dagster.yaml").read_text(encoding="utf-8"))
    assert settings["concurrency"]["pools"]["default_limit"] == 1
    assert dict(os.environ) == before
