"""etl.lib.warehouse.load against a real DuckDB file: DDL, idempotent loads, transactions and fetch state."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.lib import schema
from etl.lib.frames import records_frame
from etl.lib.records import FetchAttempt
from etl.lib.warehouse import load as warehouse

DAY_1, DAY_2 = date(2025, 1, 1), date(2025, 1, 2)


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        warehouse.ensure_schema(connection)
        yield connection


def rows_of(conn, table: str) -> int:
    return conn.sql(f"select count(*) from {table}").fetchone()[0]


def typed(columns: pl.Schema, **values) -> dict:
    """A row of `columns`, null where not given."""
    return {name: values.get(name) for name in columns}


def articles(*rows: dict) -> pl.DataFrame:
    defaults = {
        "site": "s",
        "title": "t",
        "body_text": "b",
        "authors": [],
        "tags": [],
        "partition_date": DAY_1,
    }
    return pl.DataFrame(
        [typed(schema.RAW_ARTICLES, **(defaults | r)) for r in rows], schema=schema.RAW_ARTICLES
    )


def images(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame([typed(schema.RAW_IMAGES, **r) for r in rows], schema=schema.RAW_IMAGES)


def links(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame([typed(schema.RAW_RELATED_LINKS, **r) for r in rows], schema=schema.RAW_RELATED_LINKS)


def one_article(
    content_hash: str = "h1", day: date = DAY_1
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        articles(
            {"article_id": "a", "url": "https://s/a", "content_hash": content_hash, "partition_date": day}
        ),
        images(
            {"image_id": "i0", "article_id": "a", "content_hash": content_hash, "position": 0},
            {"image_id": "i1", "article_id": "a", "content_hash": content_hash, "position": 1},
        ),
        links({"link_id": "l0", "article_id": "a", "content_hash": content_hash, "url": "https://s/b"}),
    )


def attempt(url: str, outcome: str, hour: int, **values) -> dict:
    return typed(
        schema.FETCH_ATTEMPTS,
        url=url,
        site="s",
        outcome=outcome,
        attempt=values.pop("attempt", 1),
        is_final=values.pop("is_final", True),
        fetched_at=datetime(2025, 1, 1, hour, tzinfo=UTC),
        **values,
    )


def attempts(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema.FETCH_ATTEMPTS)


def test_ensure_schema_creates_every_table_and_is_idempotent(conn):
    warehouse.ensure_schema(conn)
    tables = {
        f"{s}.{t}"
        for s, t in conn.sql(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    }
    expected = {f"work.{name}" for name in schema.WORK_TABLES} | {
        "raw.discovered_urls",
        "raw.discovery_errors",
        "raw.fetch_log",
        "raw.extraction_outcomes",
        "raw.pages",
        "raw.current_pages",
        "raw.field_shares",
        "raw.articles",
        "raw.images",
        "raw.related_links",
        "quarantine.articles",
        "quarantine.images",
        "quarantine.related_links",
        "quarantine.field_issues",
    }
    assert tables == expected


@pytest.mark.parametrize(
    ("table", "contract", "extra"),
    [
        ("work.extracted_articles", schema.EXTRACTED_ARTICLES, []),
        ("work.normalized_images", pl.Schema({"row_number": pl.Int32, **schema.RAW_IMAGES}), []),
        ("work.validated_rows", schema.VALIDATED_ROWS, []),
        ("raw.pages", schema.PAGES, ["partition_date", "run_id", "loaded_at"]),
        ("raw.current_pages", schema.PAGES, []),
        ("raw.articles", schema.RAW_ARTICLES, ["run_id", "loaded_at"]),
        ("raw.related_links", schema.RAW_RELATED_LINKS, ["run_id", "loaded_at"]),
        (
            "quarantine.images",
            schema.RAW_IMAGES,
            ["failed_expectations", "row_hash", "run_id", "quarantined_at"],
        ),
    ],
)
def test_tables_follow_the_column_contracts(conn, table, contract, extra):
    columns = [row[0] for row in conn.sql(f"describe {table}").fetchall()]
    assert columns == [*contract, *extra]


def test_polars_types_survive_a_round_trip(conn):
    frame = articles(
        {
            "article_id": "a",
            "content_hash": "h",
            "authors": ["أ", "ب"],
            "word_count": 7,
            "published_at": datetime(2025, 1, 1, 5, tzinfo=UTC),
        }
    )
    warehouse.load_articles(conn, "r", frame, images(), links())
    stored = conn.sql("select * exclude (run_id, loaded_at) from raw.articles").pl()
    # DuckDB hands timestamptz back in the session time zone: the same instants, possibly another zone name
    stored = stored.with_columns(pl.col(pl.Datetime).dt.convert_time_zone("UTC"))
    assert stored.schema == schema.RAW_ARTICLES
    assert stored.equals(frame)


def test_rerunning_a_load_adds_no_row(conn):
    first = warehouse.load_articles(conn, "run-1", *one_article())
    again = warehouse.load_articles(conn, "run-2", *one_article())
    assert first == warehouse.LoadCounts(articles=1, images=2, related_links=1)
    assert again == warehouse.LoadCounts(articles=0, images=0, related_links=0)
    assert conn.sql("select distinct run_id from raw.articles").fetchall() == [("run-1",)]


def test_changed_content_adds_a_revision_row(conn):
    warehouse.load_articles(conn, "run-1", *one_article("h1"))
    counts = warehouse.load_articles(conn, "run-2", *one_article("h2", DAY_2))
    assert counts == warehouse.LoadCounts(articles=1, images=2, related_links=1)
    assert conn.sql("select content_hash from raw.articles order by content_hash").fetchall() == [
        ("h1",),
        ("h2",),
    ]


def test_a_frame_that_repeats_a_key_stores_it_once(conn):
    frame, image_frame, link_frame = one_article()
    counts = warehouse.load_articles(
        conn, "r", pl.concat([frame, frame]), image_frame, pl.concat([link_frame] * 3)
    )
    assert (counts.articles, counts.related_links) == (1, 1)


def test_a_load_that_fails_half_way_leaves_nothing_behind(conn, monkeypatch):
    real_insert = warehouse._insert_new

    def insert_then_die(conn, target, *args):
        if target == "raw.related_links":
            raise RuntimeError("killed")
        return real_insert(conn, target, *args)

    monkeypatch.setattr(warehouse, "_insert_new", insert_then_die)
    with pytest.raises(RuntimeError, match="killed"):
        warehouse.load_articles(conn, "run-1", *one_article())
    assert [rows_of(conn, f"raw.{t}") for t in ("articles", "images", "related_links")] == [0, 0, 0]
    monkeypatch.setattr(warehouse, "_insert_new", real_insert)
    assert warehouse.load_articles(conn, "run-2", *one_article()).images == 2


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (articles({"article_id": "a"}).drop("content_hash"), "raw.articles: missing columns content_hash"),
        (
            articles({"article_id": "a"}).with_columns(word_count=pl.lit("many")),
            "raw.articles: columns do not match the contract",
        ),
    ],
)
def test_a_frame_off_contract_is_refused_with_a_one_line_reason(conn, frame, message):
    with pytest.raises(ValueError, match=message):
        warehouse.load_articles(conn, "r", frame, images(), links())
    assert rows_of(conn, "raw.articles") == 0


def test_replace_partition_replaces_only_its_day(conn):
    day_1 = articles({"article_id": "a", "content_hash": "h"}, {"article_id": "b", "content_hash": "h"})
    day_2 = articles({"article_id": "c", "content_hash": "h", "partition_date": DAY_2})
    warehouse.replace_partition(conn, "work.normalized_articles", DAY_1, day_1)
    warehouse.replace_partition(conn, "normalized_articles", DAY_2, day_2)
    written = warehouse.replace_partition(conn, "work.normalized_articles", DAY_1, day_1.head(1))
    assert written == 1
    stored = conn.sql(
        "select article_id, partition_date, row_number from work.normalized_articles order by 1"
    ).fetchall()
    assert stored == [("a", DAY_1, 0), ("c", DAY_2, 0)]


def test_a_work_column_names_one_thing(conn):
    columns = {
        table: [name for (name,) in conn.sql(f"select column_name from (describe work.{table})").fetchall()]
        for table in ("extracted_images", "extracted_related_links")
    }
    # the article a child row belongs to is `article_url`; the child's own address has its own name
    assert {"article_url", "image_url"} <= set(columns["extracted_images"])
    assert {"article_url", "target_url"} <= set(columns["extracted_related_links"])
    assert "url" not in columns["extracted_images"] + columns["extracted_related_links"]


def test_the_load_reads_the_passed_normalized_rows_with_their_bad_fields_null(conn):
    day_1 = images(
        {"image_id": "i0", "article_id": "a", "url": "https://s/0.jpg", "caption": "c0", "position": 0},
        {"image_id": "i1", "article_id": "a", "url": "javascript:1", "caption": "c1", "position": 1},
        {"image_id": "i2", "article_id": None, "url": "https://s/2.jpg", "caption": "c2", "position": 2},
    )
    warehouse.replace_partition(conn, "work.normalized_images", DAY_1, day_1)
    verdicts = pl.DataFrame(
        {"table_name": ["images", "images"], "row_number": [1, 0], "nulled_fields": [["url"], []]},
        schema={"table_name": pl.String, "row_number": pl.Int32, "nulled_fields": pl.List(pl.String)},
    )
    warehouse.replace_partition(conn, "work.validated_rows", DAY_1, verdicts)
    loaded = warehouse.read_validated(conn, "images", DAY_1)
    assert loaded.columns == list(schema.RAW_IMAGES)
    assert loaded.select("image_id", "url", "caption").rows() == [
        ("i0", "https://s/0.jpg", "c0"),
        ("i1", None, "c1"),
    ]
    assert warehouse.read_validated(conn, "articles", DAY_1).is_empty()


def test_clearing_a_day_empties_it_from_every_work_table_and_keeps_the_others(conn):
    for day in (DAY_1, DAY_2):
        warehouse.replace_partition(conn, "work.normalized_articles", day, articles({"article_id": "a"}))
        warehouse.replace_partition(
            conn, "work.extracted_articles", day, pl.DataFrame([typed(schema.EXTRACTED_ARTICLES)])
        )
    assert warehouse.clear_work_day(conn, DAY_1) == 2
    kept = [
        (table, *conn.sql(f"select count(*), min(partition_date) from work.{table}").fetchone())
        for table in schema.WORK_TABLES
    ]
    assert [(table, n, day) for table, n, day in kept if n] == [
        ("extracted_articles", 1, DAY_2),
        ("normalized_articles", 1, DAY_2),
    ]


def test_replace_partition_refuses_a_table_outside_work(conn):
    with pytest.raises(ValueError, match=r"not a work table: 'raw\.articles'"):
        warehouse.replace_partition(conn, "raw.articles", DAY_1, articles())


def test_discovered_urls_keep_one_row_per_source(conn):
    rows = [
        typed(
            schema.DISCOVERED_URLS,
            url="https://s/a",
            site="s",
            source_kind="feed",
            source_url="https://s/f",
        ),
        typed(
            schema.DISCOVERED_URLS,
            url="https://s/a",
            site="s",
            source_kind="sitemap",
            source_url="https://s/m",
        ),
    ]
    frame = pl.DataFrame(rows, schema=schema.DISCOVERED_URLS)
    assert warehouse.load_discovered(conn, DAY_1, "r", frame) == 2
    assert warehouse.load_discovered(conn, DAY_1, "r", frame) == 0
    assert warehouse.load_discovered(conn, DAY_2, "r", frame) == 2


def test_fetch_log_is_idempotent_and_pages_keep_the_last_good_validators(conn):
    ok = attempt("https://s/a", "ok", 8, etag='"v1"', body_sha256="sha1", final_url="https://s/a")
    retried = attempt("https://s/a", "timeout", 7, is_final=False)
    assert warehouse.load_fetch_log(conn, DAY_1, "r1", attempts(retried, ok)) == 2
    assert warehouse.load_fetch_log(conn, DAY_1, "r1", attempts(retried, ok)) == 0
    # a later timeout and a 304 change the outcome but keep the validators for the next conditional GET
    warehouse.load_fetch_log(conn, DAY_1, "r2", attempts(attempt("https://s/a", "timeout", 9)))
    warehouse.load_fetch_log(conn, DAY_1, "r3", attempts(attempt("https://s/a", "not_modified", 10)))
    page = conn.sql(
        "select outcome, etag, body_sha256, hour(last_ok_at), hour(first_seen_at) from raw.current_pages"
    ).fetchall()
    assert page == [("not_modified", '"v1"', "sha1", 10, 8)]
    assert rows_of(conn, "raw.fetch_log") == 4
    assert rows_of(conn, "raw.pages") == 3  # one state per final fetch, the retried attempt none


def test_raw_pages_rows_of_an_earlier_day_are_unchanged_by_later_loads(conn):
    ok = attempt("https://s/a", "ok", 8, etag='"v1"', body_sha256="sha1", final_url="https://s/a")
    warehouse.load_fetch_log(conn, DAY_1, "r1", attempts(ok, attempt("https://s/b", "http_error", 8)))
    before = conn.sql("select * from raw.pages order by url").fetchall()
    warehouse.load_fetch_log(
        conn,
        DAY_2,
        "r2",
        attempts(
            attempt("https://s/a", "not_modified", 20),
            attempt("https://s/b", "ok", 20, etag='"b"'),
        ),
    )
    after = conn.sql("select * from raw.pages order by url, last_fetched_at").fetchall()
    assert [row for row in after if row in before] == before  # byte for byte, none updated or deleted
    assert len(after) == 4
    current = warehouse.fetch_state(conn, ["https://s/a", "https://s/b"])
    assert current.select("url", "outcome", "etag").rows() == [
        ("https://s/a", "not_modified", '"v1"'),
        ("https://s/b", "ok", '"b"'),
    ]


def test_a_keyed_pages_table_of_the_previous_version_becomes_append_only(conn):
    conn.execute("drop table raw.pages")
    conn.execute(
        "create table raw.pages (url varchar primary key, site varchar, outcome varchar, etag varchar, "
        "last_fetched_at timestamptz, last_ok_at timestamptz, first_seen_at timestamptz)"
    )
    conn.execute(
        "insert into raw.pages values ('https://s/a', 's', 'ok', '\"old\"', "
        "'2024-12-31 08:00:00+00', '2024-12-31 08:00:00+00', '2024-12-20 08:00:00+00')"
    )
    warehouse.ensure_schema(conn)
    warehouse.load_fetch_log(conn, DAY_1, "r", attempts(attempt("https://s/a", "timeout", 8)))
    assert rows_of(conn, "raw.pages") == 2
    assert conn.sql("select outcome, etag, day(first_seen_at) from raw.current_pages").fetchall() == [
        ("timeout", '"old"', 20)
    ]


def test_an_older_fetch_loaded_late_does_not_overwrite_a_newer_page_state(conn):
    warehouse.load_fetch_log(conn, DAY_2, "r2", attempts(attempt("https://s/a", "ok", 12, etag='"new"')))
    warehouse.load_fetch_log(conn, DAY_1, "r1", attempts(attempt("https://s/a", "ok", 6, etag='"old"')))
    assert conn.sql("select etag, hour(first_seen_at) from raw.current_pages").fetchall() == [('"new"', 6)]


# The grouping `raw.current_pages` stands for: each page's newest state, with the first sighting and the last good
# fetch over all its rows.
GROUPED_PAGES = """
    select * exclude (partition_date, run_id, loaded_at, last_ok_at, first_seen_at),
        max(last_ok_at) over by_url as last_ok_at,
        min(first_seen_at) over by_url as first_seen_at
    from raw.pages
    window by_url as (partition by url)
    qualify row_number() over (partition by url order by last_fetched_at desc) = 1
"""


def scanned_rows(conn, query: str, profile: Path) -> dict[str, int]:
    """The rows each table scan of `query` produced, by table."""
    conn.execute("set enable_profiling = 'json'")
    conn.execute(f"set profiling_output = '{profile}'")
    conn.execute(query).fetchall()
    conn.execute("set enable_profiling = 'no_output'")
    scans: dict[str, int] = {}
    nodes = [json.loads(profile.read_text())]
    while nodes:
        node = nodes.pop()
        nodes += node.get("children", [])
        table = node.get("extra_info", {}).get("Table")
        if node.get("operator_name") in ("SEQ_SCAN", "TABLE_SCAN") and table:
            name = table.rsplit(".", 1)[-1]
            scans[name] = scans.get(name, 0) + node["operator_cardinality"]
    return scans


def test_current_pages_are_the_grouping_over_raw_pages(conn):
    a, b, c = "https://s/a", "https://s/b", "https://s/c"
    days = [
        (DAY_1, [attempt(a, "ok", 8, etag='"a1"', body_sha256="a1"), attempt(b, "ok", 8, etag='"b1"')]),
        # a failed revisit and a 304 keep the last good validators; c is new
        (DAY_2, [attempt(a, "timeout", 9), attempt(b, "not_modified", 9), attempt(c, "http_error", 9)]),
        # a changed page, a good fetch after a failure
        (DAY_2, [attempt(a, "ok", 10, etag='"a2"', body_sha256="a2"), attempt(c, "ok", 10, etag='"c1"')]),
        # an older fetch loaded late: not the newest, yet the first sighting of c
        (DAY_1, [attempt(c, "ok", 7, etag='"c0"')]),
        # the same day loaded again adds nothing
        (DAY_2, [attempt(a, "ok", 10, etag='"a2"', body_sha256="a2"), attempt(c, "ok", 10, etag='"c1"')]),
        (DAY_2, [attempt(a, "not_modified", 11), attempt(b, "connection_error", 11)]),
    ]
    for run, (day, rows) in enumerate(days):
        warehouse.load_fetch_log(conn, day, f"r{run}", attempts(*rows))
        assert conn.sql("select * from raw.current_pages order by url").fetchall() == (
            conn.sql(f"{GROUPED_PAGES} order by url").fetchall()
        ), f"after load {run}"
    assert rows_of(conn, "raw.pages") == 10
    assert conn.sql(
        "select url, outcome, etag, hour(last_ok_at), hour(first_seen_at) from raw.current_pages order by url"
    ).fetchall() == [
        (a, "not_modified", '"a2"', 11, 8),
        (b, "connection_error", '"b1"', 9, 8),
        (c, "ok", '"c1"', 10, 7),
    ]


def test_a_read_of_the_current_pages_scans_one_row_a_page(conn, tmp_path):
    a, b = "https://s/a", "https://s/b"
    for run, hour in enumerate((8, 9, 10)):
        warehouse.load_fetch_log(
            conn, DAY_1, f"r{run}", attempts(attempt(a, "ok", hour), attempt(b, "ok", hour))
        )
    assert rows_of(conn, "raw.pages") == 6
    # a day's read of the page states costs the pages, not every fetch of their history
    assert scanned_rows(conn, "select * from raw.current_pages", tmp_path / "profile.json") == {
        "current_pages": 2
    }


def test_fetch_log_refuses_an_unknown_outcome(conn):
    with pytest.raises(ValueError, match="unknown fetch outcomes \\['exploded'\\]"):
        warehouse.load_fetch_log(conn, DAY_1, "r", attempts(attempt("https://s/a", "exploded", 8)))
    assert rows_of(conn, "raw.fetch_log") == 0


def test_fetch_state_returns_validators_of_known_urls_only(conn):
    warehouse.load_fetch_log(
        conn,
        DAY_1,
        "r",
        attempts(attempt("https://s/a", "ok", 8, etag='"e"', last_modified="Wed, 01 Jan 2025 08:00:00 GMT")),
    )
    state = warehouse.fetch_state(conn, ["https://s/a", "https://s/unknown"])
    assert state.select("url", "etag", "last_modified").rows() == [
        ("https://s/a", '"e"', "Wed, 01 Jan 2025 08:00:00 GMT")
    ]


def test_quarantine_is_idempotent_even_for_rows_without_ids(conn):
    frame = articles(
        {"article_id": None, "content_hash": None, "title": None}, {"article_id": "a", "content_hash": "h"}
    )
    frame = frame.with_columns(failed_expectations=pl.lit(["title_not_null"]))
    assert warehouse.load_quarantine(conn, "quarantine.articles", frame, run_id="r") == 2
    assert warehouse.load_quarantine(conn, "articles", frame, run_id="r") == 0
    stored = conn.sql("select failed_expectations, run_id from quarantine.articles limit 1").fetchall()
    assert stored == [(["title_not_null"], "r")]


def test_quarantine_takes_the_run_id_from_the_frame_or_refuses(conn):
    frame = images({"image_id": "i", "article_id": "a"}).with_columns(
        failed_expectations=pl.lit(["url_format"])
    )
    with pytest.raises(ValueError, match="no run_id"):
        warehouse.load_quarantine(conn, "images", frame)
    assert warehouse.load_quarantine(conn, "images", frame.with_columns(run_id=pl.lit("r9"))) == 1
    assert conn.sql("select run_id from quarantine.images").fetchall() == [("r9",)]


@pytest.mark.parametrize("count", [0, 2])
def test_records_frame_loads_fetch_attempts_straight_from_the_records(conn, count):
    records = [
        FetchAttempt(
            url=f"https://s/{i}",
            site="s",
            attempt=1,
            outcome="ok",
            fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
        for i in range(count)
    ]
    frame = records_frame(records, schema.FETCH_ATTEMPTS)
    assert frame.schema == schema.FETCH_ATTEMPTS
    assert warehouse.load_fetch_log(conn, DAY_1, "r", frame) == count
    assert rows_of(conn, "raw.pages") == count


def field_issue(article_id: str, field: str, value: str, **values) -> dict:
    return typed(
        schema.FIELD_ISSUES,
        article_id=article_id,
        content_hash=f"hash-{article_id}",
        table_name="articles",
        site="s",
        field=field,
        value=value,
        rule=f"{field}_in_range",
        stage="validate",
        run_id="run-1",
        partition_date=DAY_1,
        **values,
    )


def revisions(*article_ids: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"article_id": list(article_ids), "content_hash": [f"hash-{a}" for a in article_ids]},
        schema={"article_id": pl.String, "content_hash": pl.String},
    )


def test_field_issues_are_replaced_per_day_for_the_revisions_validated_again(conn):
    issues = pl.DataFrame(
        [
            field_issue("a", "published_at", "2099-01-01T00:00:00+00:00"),
            field_issue("b", "modified_at", "1970"),
        ],
        schema=schema.FIELD_ISSUES,
    )
    assert warehouse.replace_field_issues(conn, DAY_1, issues, revisions("a", "b")) == 2
    assert warehouse.replace_field_issues(conn, DAY_1, issues, revisions("a", "b")) == 2
    assert rows_of(conn, "quarantine.field_issues") == 2  # a re-run adds nothing
    # a re-run that extracts nothing new (every page a 304) keeps what the first run loaded
    warehouse.replace_field_issues(conn, DAY_1, issues.clear(), revisions())
    assert rows_of(conn, "quarantine.field_issues") == 2
    # article a validated again without its issue: only a's row goes; b's stays, as does another day's
    warehouse.replace_field_issues(
        conn, DAY_2, issues.with_columns(partition_date=pl.lit(DAY_2)), revisions("a")
    )
    warehouse.replace_field_issues(conn, DAY_1, issues.clear(), revisions("a"))
    kept = conn.sql("select article_id, partition_date from quarantine.field_issues order by all").fetchall()
    assert kept == [("a", DAY_2), ("b", DAY_1), ("b", DAY_2)]
    assert conn.sql(
        "select count(*) from quarantine.field_issues where quarantined_at is null"
    ).fetchone() == (0,)


def test_a_home_of_the_previous_version_gains_the_new_tables_and_columns(conn):
    # what the previous version created: no field issues table, no rejected_values column
    conn.execute("drop table quarantine.field_issues")
    conn.execute("alter table work.extracted_articles drop column rejected_values")
    conn.execute("alter table raw.articles drop column loaded_at")
    conn.execute(
        "insert into work.extracted_articles (url, partition_date) values ('https://s/old', ?)", [DAY_1]
    )
    warehouse.ensure_schema(conn)
    columns = {
        (table, column)
        for table, column in conn.sql("select table_name, column_name from duckdb_columns()").fetchall()
    }
    assert ("extracted_articles", "rejected_values") in columns
    assert ("articles", "loaded_at") in columns
    assert rows_of(conn, "quarantine.field_issues") == 0
    assert conn.sql("select url, rejected_values from work.extracted_articles").fetchall() == [
        ("https://s/old", None)
    ]
    # and the stages write through the upgraded tables
    frame = pl.DataFrame(
        [typed(schema.EXTRACTED_ARTICLES, url="https://s/new", rejected_values="[]")],
        schema=schema.EXTRACTED_ARTICLES,
    )
    assert warehouse.replace_partition(conn, "work.extracted_articles", DAY_2, frame) == 1


def test_discovery_errors_are_kept_once_per_run_and_source(conn):
    warehouse.ensure_schema(conn)
    errors = pl.DataFrame(
        {
            "site": ["a", "a"],
            "source_url": ["http://a/feed", "http://a/feed"],
            "message": ["timeout", "timeout"],
        }
    )
    day = date(2025, 1, 2)
    assert warehouse.load_discovery_errors(conn, day, "run-1", errors) == 1
    assert warehouse.load_discovery_errors(conn, day, "run-1", errors) == 0  # the same run loaded again
    assert (
        warehouse.load_discovery_errors(conn, day, "run-2", errors) == 1
    )  # the next run's failure is its own


def _verdicts(*outcomes: str) -> pl.DataFrame:
    rows = [
        {
            "archive_key": f"k/{n}",
            "page_url": f"https://s/{n}",
            "site": "s",
            "outcome": outcome,
            "error": "why",
        }
        for n, outcome in enumerate(outcomes)
    ]
    return pl.DataFrame(rows, schema=schema.EXTRACTION_OUTCOMES)


def test_extraction_outcomes_are_kept_once_per_day_and_body_beside_an_untouched_fetch_log(conn):
    warehouse.load_fetch_log(
        conn, DAY_1, "run-1", attempts(attempt("https://s/0", "ok", 9, archive_key="k/0"))
    )
    verdicts = _verdicts("bot_challenge", "empty_page")
    assert warehouse.load_extraction_outcomes(conn, DAY_1, "run-1", verdicts) == 2
    assert warehouse.load_extraction_outcomes(conn, DAY_1, "run-2", verdicts) == 0
    stored = conn.sql(
        "select archive_key, outcome, run_id from raw.extraction_outcomes order by 1"
    ).fetchall()
    assert stored == [("k/0", "bot_challenge", "run-1"), ("k/1", "empty_page", "run-1")]
    assert conn.sql("select outcome from raw.fetch_log").fetchall() == [("ok",)]


def test_extraction_outcomes_refuse_an_outcome_that_is_not_a_page_verdict(conn):
    with pytest.raises(ValueError, match=r"^raw.extraction_outcomes: unknown page outcomes \['timeout'\]$"):
        warehouse.load_extraction_outcomes(conn, DAY_1, "run-1", _verdicts("timeout"))


def test_the_current_pages_view_of_the_previous_version_becomes_a_table_of_the_same_rows(conn):
    warehouse.load_fetch_log(conn, DAY_1, "r1", attempts(attempt("https://s/a", "ok", 8, etag='"v1"')))
    warehouse.load_fetch_log(conn, DAY_2, "r2", attempts(attempt("https://s/a", "timeout", 9)))
    conn.execute("drop table raw.current_pages")
    conn.execute(f"create view raw.current_pages as {GROUPED_PAGES}")
    warehouse.ensure_schema(conn)
    assert conn.sql(
        "select table_type from information_schema.tables where table_name = 'current_pages'"
    ).fetchall() == [("BASE TABLE",)]
    assert conn.sql("select outcome, etag, hour(last_ok_at) from raw.current_pages").fetchall() == [
        ("timeout", '"v1"', 8)
    ]
