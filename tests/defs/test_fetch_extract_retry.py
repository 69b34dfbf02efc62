"""The `fetch_and_extract` step run again after its first attempt loaded the fetch log (a retry, or a re-run of
the day): its conditional requests all get 304s, and the day's pages are extracted all the same."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from demo import expected
from etl.defs.ingest.discover import DISCOVERED, DISCOVERY_FAILURES, discovered_urls
from etl.defs.ingest.fetch_extract import EXTRACTED, FETCH_LOG, PAGES, fetch_and_extract
from etl.defs.resources import AkhbarHome, HttpClientResource, RawArchiveResource

DAY = "2024-10-28"


def test_a_retry_after_the_fetch_log_was_loaded_extracts_the_days_pages(
    tmp_path: Path, sample_site, sites_file
):
    warehouse = tmp_path / "warehouse.duckdb"
    resources = {
        "akhbar": AkhbarHome(home=str(tmp_path), sites_file=str(sites_file)),
        "duckdb": DuckDBResource(database=str(warehouse)),
        "archive": RawArchiveResource(url=str(tmp_path / "archive")),
        "http": HttpClientResource(),
    }
    assets = [discovered_urls, fetch_and_extract]
    # the first attempt got as far as loading the fetch log, then died before its extraction was stored
    first = dg.materialize(
        assets,
        selection=[DISCOVERED, DISCOVERY_FAILURES, FETCH_LOG, PAGES],
        partition_key=DAY,
        resources=resources,
    )
    assert first.success
    served = len(sample_site.request_log)

    retry = dg.materialize([fetch_and_extract], partition_key=DAY, resources=resources)

    assert retry.success
    article_paths = {page["path"] for page in expected(sample_site.base_url)["pages"]}
    statuses = {status for _, path, status in sample_site.request_log[served:] if path in article_paths}
    assert statuses == {304}  # the retry's own word on every page
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        extracted = {
            url
            for (url,) in conn.execute(
                "select url from work.extracted_articles where partition_date = ? and error is null", [DAY]
            ).fetchall()
        }
    assert extracted == {page["url"] for page in expected(sample_site.base_url)["pages"]}
    assert EXTRACTED in {event.asset_key for event in retry.get_asset_materialization_events()}
