"""Which of the day's fetched pages a run extracts, read from a real DuckDB warehouse's fetch log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from etl.lib.extract.planning import plan_extractions
from etl.lib.frames import records_frame
from etl.lib.records import FetchAttempt
from etl.lib.schema import FETCH_ATTEMPTS
from etl.lib.sites import SitesFile
from etl.lib.warehouse import ensure_schema, load_fetch_log

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
