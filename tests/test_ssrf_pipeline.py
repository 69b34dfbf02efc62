"""The address guard end to end: a sites file that refuses private networks names a feed and pages on a private
(loopback) address, directly and behind a redirect from an allowed host. A real Dagster run of the whole graph
records each refusal with its reason (`raw.discovery_errors`, `raw.fetch_log`, `marts.site_daily`), never
connects to the private server, and the marts hold the allowed site's articles and nothing of the private one's.

127.0.0.1 stands in for the public internet (allowlisted, as an operator's internal mirror would be) and
127.0.0.2 for the private network a hostile feed or redirect points at.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from demo import expected
from etl.defs.resources import AkhbarHome, HttpClientResource, RawArchiveResource
from etl.defs.transform.project import DBT_EXECUTABLE, dbt_project
from etl.lib.home import Home
from etl.lib.warehouse import CONNECTION_CONFIG
from etl.runner import definitions
from tests.hostile_server import LoopbackServer, page, redirect

DAY = "2024-10-28"
SECRET = "/world/4700300-internal-memo"
MOVED = "/world/4700301-moved"

SECRET_PAGE = (
    '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
    "<title>مذكرة داخلية عن ميزانية الشبكة | أخبار اليوم</title>"
    '<meta property="article:published_time" content="2024-10-28T09:00:00+03:00"></head><body><main><article>'
    "<h1>مذكرة داخلية عن ميزانية الشبكة</h1><p>هذه الصفحة على عنوان داخلي لا يجوز أن يصل إليه الزاحف، "
    "فإن وصل إليها ظهرت في جدول المقالات ورآها المحللون.</p><p>وتضم المذكرة أرقاما وأسماء لا تنشر خارج الشبكة "
    "الداخلية للمؤسسة، ولذلك يرفض الحارس كل عنوان خاص ما لم يأذن به ملف المواقع.</p></article></main></body></html>"
)


def _feed(base: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>داخلي</title>'
        f"<link>{base}/</link><item><title>مذكرة داخلية</title><link>{base}{SECRET}</link>"
        "<pubDate>Mon, 28 Oct 2024 06:00:00 GMT</pubDate></item></channel></rss>"
    )


@pytest.fixture(scope="module")
def guarded_run(tmp_path_factory: pytest.TempPathFactory):
    from demo.server import serve_sample_site

    home = tmp_path_factory.mktemp("home")
    with (
        serve_sample_site() as sample,
        LoopbackServer({}, host="127.0.0.2") as private,
        LoopbackServer({}) as relay,
    ):
        private.routes = {"/feed.xml": page(_feed(private.url("")), content_type="application/rss+xml"),
                          SECRET: page(SECRET_PAGE)}  # fmt: skip
        relay.routes = {MOVED: redirect(private.url(SECRET), status=301)}
        sites = {
            "allow_private_networks": False,
            "sites": [
                {"name": "aawsat", "feeds": [f"{sample.base_url}/feed.xml"],
                 "sitemaps": [f"{sample.base_url}/sitemap.xml"], "language": "ar", "delay_seconds": 0.05},
                {"name": "intranet", "feeds": [private.url("/feed.xml")],
                 "urls": [private.url(SECRET), relay.url(MOVED)], "language": "ar", "delay_seconds": 0},
            ],
        }  # fmt: skip
        sites_file = home / "sites.yaml"
        sites_file.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
        layout = Home(home)
        defs = definitions()
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            partition_key=DAY,
            resources={
                "akhbar": AkhbarHome(home=str(home), sites_file=str(sites_file)),
                "duckdb": DuckDBResource(database=str(layout.warehouse), connection_config=CONNECTION_CONFIG),
                "archive": RawArchiveResource(url=str(layout.archive)),
                "http": HttpClientResource(private_network_allowlist=["127.0.0.1/32"]),
                "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
            },
        )
        yield {
            "result": result,
            "layout": layout,
            "sample": sample.base_url,
            "private_calls": dict(private.counter.calls),
            "secret": private.url(SECRET),
            "feed": private.url("/feed.xml"),
            "moved": relay.url(MOVED),
        }


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def test_the_run_succeeds_and_never_connects_to_the_private_address(guarded_run):
    assert guarded_run["result"].success
    assert guarded_run["private_calls"] == {}


def test_the_private_feed_is_a_discovery_error_naming_the_refused_address(guarded_run):
    rows = _query(
        guarded_run["layout"].warehouse,
        "select source_url, message from raw.discovery_errors where site = 'intranet'",
    )
    assert rows == [
        (guarded_run["feed"], "blocked_private: 127.0.0.2 resolves to non-public address 127.0.0.2")
    ]


def test_each_private_page_is_refused_in_the_fetch_log_even_behind_a_redirect(guarded_run):
    rows = _query(
        guarded_run["layout"].warehouse,
        "select url, final_url, outcome, error from raw.fetch_log where site = 'intranet' and is_final order by url",
    )
    refused = "127.0.0.2 resolves to non-public address 127.0.0.2"
    secret, moved = guarded_run["secret"], guarded_run["moved"]
    assert sorted(rows) == sorted(
        [(secret, secret, "blocked_private", refused), (moved, secret, "blocked_private", refused)]
    )


def test_the_marts_hold_the_allowed_site_and_nothing_of_the_private_one(guarded_run):
    published = guarded_run["layout"].published
    urls = {url for (url,) in _query(published, "select url from marts.articles")}
    assert urls == {article["url"] for article in expected(guarded_run["sample"])["pages"]}
    assert _query(published, "select count(*) from marts.articles where site = 'intranet'") == [(0,)]
    private = "%127.0.0.2%"
    for mart in ("images", "related_links"):
        assert _query(published, f"select count(*) from marts.{mart} where url like ?", [private]) == [(0,)]
    (site_day,) = _query(
        published,
        "select failures_by_outcome, failed_sources, loaded_articles from marts.site_daily where site = 'intranet'",
    )
    assert site_day == ({"blocked_private": 2}, 1, 0)
