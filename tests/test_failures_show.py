"""Failures that show: a site that is down is counted, flagged and reported, never a green day on no data.

Three days of `akhbar run` over the sample site and a second site on a port where nothing listens: on day 1
the second site is down; on day 2 the sample site is down too while the second lists one page; on day 3 every
source of every site is down.
"""

from __future__ import annotations

import socket
from pathlib import Path

import duckdb
import pytest
import yaml

from demo import expected
from demo.server import serve_sample_site, sites_yaml
from tests.conftest import run_akhbar

DAY_1, DAY_2, DAY_3 = "2024-10-28", "2024-10-29", "2024-10-30"
# three runs in the first test's setup: as test_operations' longest, more than the default cap on a shared machine
pytestmark = pytest.mark.timeout(1800)


def _unreachable_base() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _write(path: Path, sites: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"allow_private_networks": True, "sites": sites}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def three_days(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("home")
    down = _unreachable_base()
    with serve_sample_site() as site:
        [sample] = yaml.safe_load(sites_yaml(site.base_url))["sites"]
        dead_sample = {**sample, "feeds": [f"{down}/feed.xml"], "sitemaps": [f"{down}/sitemap.xml"]}
        one_page = expected(site.base_url)["pages"][0]["url"]
        days = {
            DAY_1: [sample, {"name": "other", "feeds": [f"{down}/other/feed"], "delay_seconds": 0}],
            DAY_2: [dead_sample, {"name": "other", "urls": [one_page], "delay_seconds": 0}],
            DAY_3: [dead_sample, {"name": "other", "feeds": [f"{down}/other/feed"], "delay_seconds": 0}],
        }
        runs = {
            day: run_akhbar(
                "run", "--sites", str(_write(home / f"sites-{day}.yaml", sites)), "--date", day, home=home
            )
            for day, sites in days.items()
        }
    status = run_akhbar("status", home=home)
    return {"home": home, "runs": runs, "status": status}


def test_a_site_that_is_down_is_counted_in_the_summary_and_the_funnel(three_days):
    first = three_days["runs"][DAY_1]
    assert first.returncode == 0, first.stdout + first.stderr
    [line] = [line for line in first.stdout.splitlines() if "discovery errors" in line]
    assert line.split()[-1] == "1"
    with duckdb.connect(str(three_days["home"] / "published.duckdb"), read_only=True) as conn:
        funnel = dict(
            conn.sql(
                "select site, (failed_sources, discovered_urls) from marts.site_daily "
                f"where partition_date = '{DAY_1}'"
            ).fetchall()
        )
    assert funnel["other"] == (1, 0)
    assert funnel["aawsat"][0] == 0 and funnel["aawsat"][1] > 0


def test_an_unreachable_feed_is_reported_as_unreachable(three_days):
    first = three_days["runs"][DAY_1]
    [warning] = [line for line in first.stdout.splitlines() if "/other/feed" in line]
    assert "host unreachable" in warning and "robots" not in warning


def test_a_site_that_announced_pages_yesterday_and_none_today_fails_a_check(three_days):
    second = three_days["runs"][DAY_2]
    assert second.returncode == 0, second.stdout + second.stderr  # the other site still had a page
    assert "check failed: raw_discovered_urls_no_silent_site" in second.stdout
    assert "site aawsat announced" in second.stdout and "site other announced" not in second.stdout


def test_a_day_on_which_every_source_failed_exits_non_zero_with_one_line(three_days):
    third = three_days["runs"][DAY_3]
    assert third.returncode == 1
    assert third.stderr.count("\n") == 1, third.stderr
    assert "every source of every site failed" in third.stderr
    assert "Traceback" not in third.stdout + third.stderr


def test_status_reads_the_warehouse_s_failures_not_only_the_published_copy(three_days):
    status = three_days["status"]
    assert status.returncode == 0, status.stdout + status.stderr
    assert "from the warehouse" in status.stdout
    # day 3 published nothing: its failures are in the warehouse only
    assert DAY_3 in status.stdout
    assert "host unreachable" in status.stdout
    with duckdb.connect(str(three_days["home"] / "published.duckdb"), read_only=True) as conn:
        published_days = {
            str(day)
            for (day,) in conn.sql("select distinct partition_date from raw.discovery_errors").fetchall()
        }
    assert DAY_3 not in published_days
