"""Which of the day's fetched pages a run extracts, read from a real DuckDB warehouse's fetch log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.lib.extract import choose_pages, plan_extractions
from etl.lib.frames import records_frame
from etl.lib.records import FetchAttempt
from etl.lib.schema import EXTRACTION_OUTCOMES, FETCH_ATTEMPTS
from etl.lib.sites import SitesFile
from etl.lib.warehouse import ensure_schema, load_extraction_outcomes, load_fetch_log

DAY = date(2024, 10, 28)
URL = "https://news.example/world/1-story"
SITES = SitesFile(sites=[{"name": "news", "urls": [URL]}])
FIRST_FETCH = datetime(2024, 10, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        ensure_schema(conn)
        yield conn


def _attempt(outcome: str, minutes_later: int = 0, **fields: object) -> FetchAttempt:
    return FetchAttempt(
        url=URL,
        site="news",
        attempt=1,
        outcome=outcome,
        fetched_at=FIRST_FETCH + timedelta(minutes=minutes_later),
        final_url=URL,
        status={"ok": 200, "not_modified": 304}.get(outcome, 500),
        **fields,
    )


def _log(conn: duckdb.DuckDBPyConnection, run_id: str, *attempts: FetchAttempt) -> None:
    load_fetch_log(conn, DAY, run_id, records_frame(attempts, FETCH_ATTEMPTS))


FIRST_BODY = _attempt("ok", archive_key="ab/first", body_sha256="first")


@pytest.mark.parametrize(
    "retry",
    [
        pytest.param(_attempt("not_modified", 5), id="the retry's 304"),
        pytest.param(
            _attempt("ok", 5, archive_key="ab/first", body_sha256="first", unchanged=True),
            id="the retry's 200 with the same body",
        ),
        pytest.param(_attempt("http_error", 5, error="HTTP 503"), id="the retry's failure"),
    ],
)
def test_a_retry_after_the_fetch_log_was_loaded_still_extracts_the_days_new_body(conn, retry):
    """A step retried (or a run re-run) after its first attempt loaded the fetch log fetches the page again,
    conditionally: that second word on the URL must not hide the body the day brought and nobody extracted."""
    _log(conn, "first-run", FIRST_BODY)
    _log(conn, "retry", retry)
    planned = plan_extractions(conn, DAY, SITES)
    assert [(page.url, page.archive_key) for page in planned] == [(URL, "ab/first")]


@pytest.mark.parametrize("table", ["raw.articles", "quarantine.articles"])
def test_a_body_whose_article_reached_the_warehouse_is_not_extracted_again(conn, table):
    """The same day run again after a complete run: every page answers 304 and nothing is extracted."""
    _log(conn, "first-run", FIRST_BODY)
    conn.execute(
        f"insert into {table} (article_id, url, archive_key, partition_date) values ('a1', ?, 'ab/first', ?)",
        [URL, DAY],
    )
    _log(conn, "second-run", _attempt("not_modified", 5))
    assert plan_extractions(conn, DAY, SITES) == []


def test_a_later_new_body_of_the_same_day_replaces_the_earlier_one(conn):
    _log(conn, "first-run", FIRST_BODY)
    _log(conn, "retry", _attempt("ok", 5, archive_key="cd/second", body_sha256="second"))
    assert [page.archive_key for page in plan_extractions(conn, DAY, SITES)] == ["cd/second"]


def test_from_archive_extracts_every_body_of_the_day_even_when_already_loaded(conn):
    _log(conn, "first-run", FIRST_BODY)
    conn.execute(
        "insert into raw.articles (article_id, url, archive_key, partition_date) values ('a1', ?, 'ab/first', ?)",
        [URL, DAY],
    )
    _log(conn, "second-run", _attempt("not_modified", 5))
    planned = plan_extractions(conn, DAY, SITES, from_archive=True)
    assert [page.archive_key for page in planned] == ["ab/first"]


def _judged(conn: duckdb.DuckDBPyConnection, archive_key: str, outcome: str = "bot_challenge") -> None:
    verdict = {
        "archive_key": archive_key,
        "page_url": URL,
        "site": "news",
        "outcome": outcome,
        "error": "why",
    }
    load_extraction_outcomes(conn, DAY, "first-run", pl.DataFrame([verdict], schema=EXTRACTION_OUTCOMES))


@pytest.mark.parametrize("from_archive", [False, True])
def test_a_body_extraction_found_to_be_no_article_is_not_planned_again(conn, from_archive):
    """The fetch log keeps the fetcher's `ok`; extraction's own verdict is what keeps the bot wall out."""
    _log(conn, "first-run", FIRST_BODY)
    _judged(conn, "ab/first")
    assert plan_extractions(conn, DAY, SITES, from_archive=from_archive) == []


def test_the_plan_made_in_memory_passes_over_a_later_body_judged_no_article(conn):
    """A retry whose new body is a bot wall: the day's earlier, unextracted article body is the one extracted,
    as when the wall's verdict still overwrote the fetch log."""
    _log(conn, "first-run", FIRST_BODY)
    earlier = plan_extractions(conn, DAY, SITES, min_text_chars=64)
    wall = replace(
        earlier[0], archive_key="ef/wall", body_sha256="wall", fetched_at=FIRST_FETCH + timedelta(minutes=5)
    )
    chosen = choose_pages([*earlier, wall], judged_out={"ef/wall"}, stored=set())
    assert [(page.archive_key, page.min_text_chars) for page in chosen] == [("ab/first", 64)]
    # not judged out, the later body wins; stored, neither is extracted
    assert [page.archive_key for page in choose_pages([*earlier, wall], judged_out=(), stored=())] == [
        "ef/wall"
    ]
    assert choose_pages([*earlier, wall], judged_out=(), stored={"ef/wall"}) == []
