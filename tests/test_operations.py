"""Operating Akhbar: backfills from the archive with the multiprocess executor, site redesigns, the sensor."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from demo import expected
from demo.server import serve_sample_site, sites_yaml
from tests.conftest import run_akhbar

DAY_1, DAY_2 = "2024-10-28", "2024-10-29"


def _sites_file(home: Path, base_url: str, **site_overrides: object) -> Path:
    config = yaml.safe_load(sites_yaml(base_url))
    config["sites"][0].update(site_overrides)
    path = home / "sites.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _counts(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
        return {
            table: conn.sql(f"select count(*) from {table}").fetchone()[0]
            for table in ("marts.articles", "marts.images", "marts.related_links", "raw.articles")
        }


def test_backfill_of_two_days_reads_the_archive_and_makes_no_request(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    with serve_sample_site() as site:
        sites_file = _sites_file(home, site.base_url)
        for day in (DAY_1, DAY_2):
            result = run_akhbar("run", "--sites", str(sites_file), "--date", day, home=home)
            assert result.returncode == 0, result.stdout + result.stderr
        before = _counts(home)
        requests_before = len(site.request_log)
        backfill = run_akhbar(
            "backfill",
            "--sites",
            str(sites_file),
            "--from",
            DAY_1,
            "--to",
            DAY_2,
            "--executor",
            "multiprocess",
            home=home,
        )
        assert backfill.returncode == 0, backfill.stdout + backfill.stderr
        assert site.request_log[requests_before:] == []
    # the archive gave back the very bytes fetched, so re-extraction made no new revision
    assert _counts(home) == before
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        runs = instance.get_run_records(limit=2)
        assert {record.dagster_run.tags["dagster/partition"] for record in runs} == {DAY_1, DAY_2}
        assert all(record.dagster_run.is_success for record in runs)
        # each day's run was made to read the archive, at the steps that would otherwise fetch
        for record in runs:
            ops = record.dagster_run.run_config["ops"]
            assert ops["fetch_and_extract"]["config"]["from_archive"] is True, record.dagster_run.run_id


def _redesign(path: str, body: bytes) -> bytes:
    """The site's new template renders the article in the browser: the HTML keeps its head, headline and a
    teaser, and loses the body text, the photos' captions and the related block. Works on bytes, so the
    windows-1256 page stays in its charset."""
    if not body.lstrip().lower().startswith(b"<!doctype html") or b"<h1" not in body:
        return body
    headline = re.search(rb"<h1[^>]*>.*?</h1>", body, flags=re.S)[0]
    teaser = re.search(rb'<meta property="og:description" content="([^"]*)"', body)
    shell = b'<body><div id="app">' + headline + b"<p>" + (teaser[1] if teaser else b"") + b"</p></div>"
    shell += b'<script src="/static/app.js"></script></body>'
    return re.sub(rb"<body.*</body>", lambda _: shell, body, flags=re.S)


@pytest.mark.timeout(1200)
def test_a_site_redesign_fails_the_extraction_health_check_naming_site_and_field(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    with serve_sample_site() as site:
        # revisit every day, so the redesigned pages are fetched again on the second day
        sites_file = _sites_file(home, site.base_url, revisit_after_days=0)
        first = run_akhbar("run", "--sites", str(sites_file), "--date", DAY_1, home=home)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "check extraction_health failed" not in first.stdout
        site.transform = _redesign
        second = run_akhbar("run", "--sites", str(sites_file), "--date", DAY_2, home=home)
    # a redesign is not a crash: the run completes, and the failing check says what broke where
    assert second.returncode == 0, second.stdout + second.stderr
    assert "check extraction_health failed" in second.stdout
    assert re.search(r"site aawsat: body present on 0% of articles", second.stdout), second.stdout
    assert re.search(r"site aawsat: related_links present on 0% of articles", second.stdout), second.stdout
    # both days built the marts in the home's own dbt folder and each found the parse cache there (a build in a
    # folder of its own would find none); the partition's window, passed as dbt vars, still makes dbt parse the
    # project again each day (about 2 s)
    dbt_log = (home / "dbt" / "dbt.log").read_text(encoding="utf-8")
    assert dbt_log.count("Running with dbt=") == 2
    assert "saved manifest not found" not in dbt_log
    assert "config vars, config profile, or config target have changed" in dbt_log


def test_sensor_requests_a_run_only_when_the_feeds_change(tmp_path: Path):
    from etl.defs.resources import AkhbarHome, HttpClientResource
    from etl.defs.sensors import new_articles_sensor

    with serve_sample_site() as site:
        sites_file = _sites_file(tmp_path, site.base_url)
        resources = {
            "akhbar": AkhbarHome(home=str(tmp_path), sites_file=str(sites_file)),
            "http": HttpClientResource(),
        }

        def evaluate(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
            with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
                return new_articles_sensor(context)

        first = evaluate(None)
        assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
        unchanged = evaluate(first.cursor)
        assert isinstance(unchanged, dg.SkipReason)

        def add_item(path: str, body: bytes) -> bytes:
            if path != "/feed.xml":
                return body
            item = b"<item><title>new</title><link>__BASE__/world/new-story</link></item>"
            return body.replace(
                b"</channel>", item.replace(b"__BASE__", site.base_url.encode()) + b"</channel>"
            )

        site.transform = add_item
        changed = evaluate(first.cursor)
    assert isinstance(changed, dg.SensorResult) and len(changed.run_requests) == 1
    assert changed.cursor != first.cursor
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key


def test_shells_and_bot_walls_are_judged_by_extraction_and_recorded_not_extracted(tmp_path: Path):
    """Fetched and extracted in one step, a page is judged on extraction's parse: the fetch log keeps what the
    fetcher saw, extraction's own table what each non-article was, the funnel and `akhbar status` count them
    as before, and no row of them reaches the marts."""
    home = tmp_path / "home"
    home.mkdir()
    with serve_sample_site() as site:
        pages = [page["url"] for page in expected(site.base_url)["pages"]]
        shell_path, wall_path = (url.removeprefix(site.base_url) for url in pages[:2])
        shells = {
            shell_path: b'<!doctype html><html><head><script src="/app.js"></script></head>'
            b'<body><div id="root"></div></body></html>',
            wall_path: b"<!doctype html><html><head><title>Just a moment...</title></head><body>"
            b'<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script></body></html>',
        }
        site.transform = lambda path, body: shells.get(path, body)
        result = run_akhbar(
            "run", "--sites", str(_sites_file(home, site.base_url)), "--date", DAY_1, home=home
        )
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
        outcomes = dict(
            conn.execute(
                "select url, outcome from raw.fetch_log where is_final and url in (?, ?)", pages[:2]
            ).fetchall()
        )
        verdicts = dict(
            conn.execute(
                "select page_url, outcome from raw.extraction_outcomes where partition_date = ?", [DAY_1]
            ).fetchall()
        )
        (failures,) = conn.execute("select failures_by_outcome from marts.site_daily").fetchone()
        articles = {url for (url,) in conn.execute("select url from marts.articles").fetchall()}
    assert outcomes == {pages[0]: "ok", pages[1]: "ok"}  # no stage rewrote the fetcher's record
    assert verdicts == {pages[0]: "empty_page", pages[1]: "bot_challenge"}
    assert failures == {"bot_challenge": 1, "empty_page": 1}
    assert articles == set(pages[2:])
    status = run_akhbar("status", home=home).stdout
    failures_shown = status.split("Failures of the last day")[1].split("Freshness")[0]
    assert "bot_challenge" in failures_shown and "empty_page" in failures_shown, status
