"""Which pages a run fetches, read from a real DuckDB warehouse: a body extraction found to be no article is
no good fetch, although the fetch log keeps the fetcher's `ok`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import polars as pl
import pytest

from etl.lib.fetch import plan_fetches
from etl.lib.frames import records_frame
from etl.lib.records import DiscoveredUrl, FetchAttempt
from etl.lib.schema import DISCOVERED_URLS, EXTRACTION_OUTCOMES, FETCH_ATTEMPTS
from etl.lib.sites import SitesFile
from etl.lib.warehouse import ensure_schema, load_discovered, load_extraction_outcomes, load_fetch_log

DAY_1, DAY_2 = date(2024, 10, 28), date(2024, 10, 29)
URL = "https://news.example/world/1-story"
SITES = SitesFile(sites=[{"name": "news", "urls": [URL], "revisit_after_days": 7}])


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        ensure_schema(conn)
        for day in (DAY_1, DAY_2):
            found = [DiscoveredUrl(url=URL, site="news", source_kind="url_list", source_url=URL)]
            load_discovered(conn, day, "run", records_frame(found, DISCOVERED_URLS))
        ok = FetchAttempt(url=URL, site="news", attempt=1, outcome="ok", status=200, etag='"v1"',
                          archive_key="ab/body", body_sha256="body", fetched_at=datetime(2024, 10, 28, 9, tzinfo=UTC))  # fmt: skip
        load_fetch_log(conn, DAY_1, "run-1", records_frame([ok], FETCH_ATTEMPTS))
        yield conn


def test_a_good_body_is_not_fetched_again_before_its_revisit_is_due(conn):
    assert plan_fetches(conn, DAY_2, SITES) == []


def test_a_body_judged_no_article_is_fetched_again_the_next_day_without_its_validators(conn):
    verdict = {
        "archive_key": "ab/body",
        "page_url": URL,
        "site": "news",
        "outcome": "bot_challenge",
        "error": "x",
    }
    load_extraction_outcomes(conn, DAY_1, "run-1", pl.DataFrame([verdict], schema=EXTRACTION_OUTCOMES))
    (request,) = plan_fetches(conn, DAY_2, SITES)
    assert (request.url, request.etag, request.previous_content_hash) == (URL, None, None)
