"""The daily partitions begin at the home's first day, so a healthy install shows no missing days."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from etl.defs.partitions import EARLIEST_DAY, FIRST_DAY_VARIABLE, first_day
from etl.lib.sites import parse_sites

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 7)
SITES = "sites:\n  - name: example\n    feeds: [https://example.org/feed]\n"


@pytest.fixture
def instance(tmp_path: Path) -> dg.DagsterInstance:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        yield instance


def _materialize(instance: dg.DagsterInstance, key: list[str], day: str) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=day))


def test_a_home_without_data_begins_today(instance):
    assert first_day(parse_sites(SITES), instance, TODAY) == TODAY


def test_the_first_materialized_day_of_any_asset_begins_the_partitions(instance):
    _materialize(instance, ["raw", "discovered_urls"], "2026-11-25")
    _materialize(instance, ["marts", "articles"], "2026-11-20")
    assert first_day(parse_sites(SITES), instance, TODAY) == date(2026, 11, 20)


def test_the_sites_file_start_date_begins_them_when_earlier_than_the_data(instance):
    _materialize(instance, ["raw", "discovered_urls"], "2026-11-25")
    sites = parse_sites(f"start_date: 2026-11-01\n{SITES}")
    assert first_day(sites, instance, TODAY) == date(2026, 11, 1)
    later = parse_sites(f"start_date: 2026-11-30\n{SITES}")
    assert first_day(later, instance, TODAY) == date(2026, 11, 25)


def _first_partition(first_day_value: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key != FIRST_DAY_VARIABLE}
    if first_day_value:
        env[FIRST_DAY_VARIABLE] = first_day_value
    code = "from etl.defs.partitions import daily_partitions as p; print(p.get_first_partition_key())"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_ui_launcher_hands_the_first_day_to_the_definitions_and_the_cli_keeps_every_day():
    assert _first_partition("2026-11-20") == "2026-11-20"
    assert _first_partition(None) == EARLIEST_DAY.isoformat()
