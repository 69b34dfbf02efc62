"""etl.lib.warehouse.published: the analysts' read-only copy, its Arabic full-text search and the Parquet export."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl
import pytest

from etl.lib import schema
from etl.lib.warehouse import load as warehouse
from etl.lib.warehouse import published as publish

TITLES = {
    "a1": ("الرئيس يصل إلى موسكو للمحادثات", "بدأت المحادثات في الكرملين صباح اليوم"),
    "a2": ("أسعار النفط ترتفع", "ارتفعت أسعار النفط في الأسواق العالمية"),
    "a3": ("Reuters: markets rally", "Stocks rallied after the talks"),
}


def run(conn: duckdb.DuckDBPyConnection, number: int, articles_per_run: int = 20) -> None:
    """One pipeline run: load raw articles, then rebuild the marts from them (what dbt does, in miniature)."""
    rows = [
        {name: None for name in schema.RAW_ARTICLES}
        | {
            "article_id": f"r{number}-{i}",
            "content_hash": "h",
            "site": "s",
            "title": TITLES["a1"][0],
            "body_text": TITLES["a1"][1],
            "partition_date": date(2025, 1, 1),
            "fetched_at": datetime(2025, 1, 1, tzinfo=UTC),
        }
        for i in range(articles_per_run)
    ]
    warehouse.load_articles(
        conn,
        f"run-{number}",
        pl.DataFrame(rows, schema=schema.RAW_ARTICLES),
        pl.DataFrame(schema=schema.RAW_IMAGES),
        pl.DataFrame(schema=schema.RAW_RELATED_LINKS),
    )
    conn.execute("create schema if not exists marts")
    conn.execute("begin transaction")
    conn.execute("create or replace table marts.articles as select * from raw.articles")
    conn.execute(f"create or replace table marts.runs as select {number} as run_number")
    conn.execute("commit")


def build_warehouse(path, titles=TITLES) -> None:
    with duckdb.connect(str(path)) as conn:
        with_marts(conn)
        conn.execute(
            "create table marts.articles (article_id varchar, site varchar, title varchar, body_text varchar, "
            "published_at timestamptz)"
        )
        conn.executemany(
            "insert into marts.articles values (?, 's', ?, ?, null)",
            [(article_id, title, body) for article_id, (title, body) in titles.items()],
        )
        conn.execute("create view marts.article_titles as select title from marts.articles")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("المحادثة", ["a1"]),  # singular, no prefix: the Arabic stemmer finds للمحادثات and المحادثات
        ("موسكو", ["a1"]),
        ("النفط", ["a2"]),
        ("talks", ["a3"]),
        ("طائرة", []),
    ],
)
def test_search_finds_arabic_words_by_their_stem(tmp_path, query, expected):
    build_warehouse(tmp_path / "warehouse.duckdb")
    publish.publish(tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb")
    with publish.connect_published(tmp_path / "published.duckdb") as conn:
        assert publish.search_articles(conn, query).get_column("article_id").to_list() == expected


def test_published_copy_holds_the_warehouse_s_tables_not_its_views_and_refuses_writes(tmp_path):
    build_warehouse(tmp_path / "warehouse.duckdb")
    publish.publish(tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb")
    with publish.connect_published(tmp_path / "published.duckdb") as conn:
        relations = conn.sql(
            "select table_schema, table_name from information_schema.tables where table_schema in ('marts', 'raw')"
        )
        names = {f"{s}.{t}" for s, t in relations.fetchall()}
        assert {"marts.articles", "raw.articles", "raw.fetch_log", "raw.pages"} <= names
        # the pages' current states are rewritten in place by each load: no stamp to publish a day by
        assert "raw.current_pages" not in names
        # a view of the warehouse reads tables the copy may not hold: only base tables are published
        assert "marts.article_titles" not in names
        with pytest.raises(duckdb.Error):
            conn.execute("delete from marts.articles")
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            conn.execute("delete from published_schemas")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".published")] == []


def test_publishing_through_the_run_s_connection_leaves_it_as_it_was(tmp_path):
    # the copy and its index are built through the caller's connection: it must come back on the warehouse,
    # with its own thread count, and without the copy attached
    build_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), config={"threads": 3}) as conn:
        publish.publish(conn, tmp_path / "published.duckdb")
        assert conn.sql("select current_database()").fetchone()[0] == "warehouse"
        assert conn.sql("select current_setting('threads')").fetchone()[0] == 3
        attached = conn.sql("select database_name from duckdb_databases() where not internal").fetchall()
        assert attached == [("warehouse",)]
        assert conn.sql("select count(*) from marts.articles").fetchone()[0] == len(TITLES)
    with publish.connect_published(tmp_path / "published.duckdb") as conn:
        assert publish.search_articles(conn, "النفط").get_column("article_id").to_list() == ["a2"]


def test_publish_without_a_warehouse_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no warehouse to publish"):
        publish.publish(tmp_path / "missing.duckdb", tmp_path / "published.duckdb")
    assert not (tmp_path / "published.duckdb").exists()


def test_analysts_keep_querying_while_runs_load_and_publish(tmp_path):
    warehouse_path, published_path = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse_path)) as conn:
        warehouse.ensure_schema(conn)
        run(conn, 1)
    publish.publish(warehouse_path, published_path)

    runs = 6
    errors: list[BaseException] = []
    writer_done = threading.Event()

    def writer() -> None:
        try:
            with duckdb.connect(str(warehouse_path)) as conn:
                for number in range(2, runs + 1):
                    run(conn, number)
                    conn.execute("checkpoint")
                    publish.publish(warehouse_path, published_path)
        except BaseException as error:
            errors.append(error)
        finally:
            writer_done.set()

    # opened before the first swap: it keeps its snapshot for as long as it stays open
    early = publish.connect_published(published_path)
    thread = threading.Thread(target=writer)
    thread.start()
    snapshots = []
    while not writer_done.is_set():
        count, run_number = early.sql(
            "select (select count(*) from marts.articles), (select run_number from marts.runs)"
        ).fetchone()
        snapshots.append((count, run_number))
        assert publish.search_articles(early, "المحادثة", limit=1).height == 1
        time.sleep(0.01)
    thread.join()
    early.close()
    assert not errors, errors
    assert len(snapshots) > 1
    assert set(snapshots) == {(20, 1)}

    # a connection opened after the last swap sees the whole last run, never part of one
    with publish.connect_published(published_path) as late:
        count, run_number = late.sql(
            "select (select count(*) from marts.articles), (select run_number from marts.runs)"
        ).fetchone()
    assert (count, run_number) == (20 * runs, runs)


def test_analysts_reconnecting_during_runs_always_see_whole_runs(tmp_path):
    warehouse_path, published_path = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse_path)) as conn:
        warehouse.ensure_schema(conn)
        run(conn, 1)
    publish.publish(warehouse_path, published_path)
    done = threading.Event()

    def writer() -> None:
        try:
            with duckdb.connect(str(warehouse_path)) as conn:
                for number in range(2, 6):
                    run(conn, number)
                    # the run's own open connection: a second one with another config would be refused
                    publish.publish(conn, published_path)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen = []
    while not done.is_set():
        with duckdb.connect(str(published_path), read_only=True) as conn:
            seen.append(
                conn.sql(
                    "select (select count(*) from marts.articles), (select run_number from marts.runs)"
                ).fetchone()
            )
    thread.join()
    assert seen
    assert all(count == 20 * run_number for count, run_number in seen), seen


def test_export_parquet_writes_each_mart(tmp_path):
    build_warehouse(tmp_path / "warehouse.duckdb")
    written = publish.export_parquet(tmp_path / "warehouse.duckdb", tmp_path / "parquet")
    assert [p.name for p in written] == ["articles.parquet"]
    exported = pl.read_parquet(written[0]).sort("article_id")
    assert exported.get_column("title").to_list() == [title for title, _ in TITLES.values()]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        assert publish.export_parquet(conn, tmp_path / "again") == [tmp_path / "again" / "articles.parquet"]


def test_the_copy_is_current_until_a_row_is_loaded_after_it(tmp_path):
    """What decides whether a run builds the marts again: a load the copy lacks, whichever run made it."""
    tables = ("raw.articles", "raw.images")
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        warehouse.ensure_schema(conn)
        run(conn, 1)
        assert not publish.is_current(conn, published, tables)  # never published
        publish.publish(conn, published)
        assert publish.is_current(conn, published, tables)
        run(conn, 2)  # loaded, then killed before its publish
        assert not publish.is_current(conn, published, tables)


def test_a_copy_left_half_made_by_a_killed_publish_is_removed_by_the_next(tmp_path):
    build_warehouse(tmp_path / "warehouse.duckdb")
    published = tmp_path / "published.duckdb"
    abandoned = [tmp_path / ".published-0123abcd.duckdb", tmp_path / ".published-0123abcd.duckdb.wal"]
    for path in abandoned:
        path.write_bytes(b"half a copy")
    # a part a killed publish wrote and never published
    orphan = publish.parts_dir(published) / "marts.articles" / "2025-01-0123abcd.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"half a part")
    publish.publish(tmp_path / "warehouse.duckdb", published)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "published.duckdb",
        "published.parts",
        "warehouse.duckdb",
    ]
    assert not orphan.exists()


# modelled on the seed: an old month's story and today's
MONTHS = {
    "2025-01": ("old", "الرئيس يصل إلى موسكو للمحادثات", "بدأت المحادثات في الكرملين"),
    "2025-02": ("new", "أسعار النفط ترتفع", "ارتفعت أسعار النفط في الأسواق"),
}


def with_marts(conn: duckdb.DuckDBPyConnection) -> None:
    """A warehouse whose marts an incremental build keeps, as `add_article` fills them."""
    warehouse.ensure_schema(conn)
    conn.execute("create schema marts")


def load_raw_article(
    conn: duckdb.DuckDBPyConnection, article_id: str, day: date, title: str, body: str, content_hash: str
) -> None:
    """A day's load of one article's raw row."""
    row = {name: None for name in schema.RAW_ARTICLES} | {
        "article_id": article_id,
        "content_hash": content_hash,
        "site": "s",
        "title": title,
        "body_text": body,
        "partition_date": day,
        "fetched_at": datetime(day.year, day.month, day.day, tzinfo=UTC),
    }
    warehouse.load_articles(
        conn,
        f"run-{day}",
        pl.DataFrame([row], schema=schema.RAW_ARTICLES),
        pl.DataFrame(schema=schema.RAW_IMAGES),
        pl.DataFrame(schema=schema.RAW_RELATED_LINKS),
    )


def add_article(conn: duckdb.DuckDBPyConnection, article_id: str, day: date, title: str, body: str) -> None:
    """A day's load and the marts' row for it, as an incremental build would leave them."""
    load_raw_article(conn, article_id, day, title, body, f"h-{article_id}")
    conn.execute(
        "create table if not exists marts.articles (article_id varchar, content_hash varchar, site varchar, "
        "title varchar, body_text varchar, published_at timestamptz, first_seen_at timestamptz)"
    )
    conn.execute(
        "insert into marts.articles values (?, ?, 's', ?, ?, null, ?)",
        [article_id, f"h-{article_id}", title, body, datetime(day.year, day.month, day.day, tzinfo=UTC)],
    )


def month_parts(published) -> dict[str, tuple[int, int]]:
    """Every part file of the copy with its inode and modification time."""
    return {
        str(path.relative_to(publish.parts_dir(published))): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in publish.parts_dir(published).rglob("*.parquet")
    }


def test_a_day_s_publish_writes_only_its_month_and_search_finds_old_and_new_articles(tmp_path):
    warehouse_path, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse_path)) as conn:
        with_marts(conn)
        add_article(conn, "old", date(2025, 1, 10), *MONTHS["2025-01"][1:])
        add_article(conn, "new-1", date(2025, 2, 1), *MONTHS["2025-02"][1:])
        publish.publish(conn, published)
        before = month_parts(published)
        # the next day, in February: January's articles, raw rows and index are left as they are
        add_article(conn, "new-2", date(2025, 2, 2), "النفط في موسكو", "المحادثات حول أسعار النفط")
        report = publish.publish(conn, published)
    after = month_parts(published)
    january = {name: stat for name, stat in before.items() if "/2025-01-" in name}
    assert january and all(after.get(name) == stat for name, stat in january.items())
    with publish.connect_published(published) as conn:
        listed = {row[0] for row in conn.sql("select file_name from published_parts").fetchall()}
    february = {name for name in listed if "/2025-02-" in name}
    assert february and not february & set(before)
    # February's raw.articles and marts.articles parts, and its index (postings and docs)
    assert report.parts_written == 4
    assert report.rows_written == 2 + 2  # the month's rows of the two tables: not the history's
    with publish.connect_published(published) as conn:
        found = set(publish.search_articles(conn, "المحادثة").get_column("article_id").to_list())
        assert found == {"old", "new-2"}  # January's index read beside February's new one
        assert set(publish.search_articles(conn, "نفط").get_column("article_id").to_list()) == {
            "new-1",
            "new-2",
        }
        assert conn.sql("select count(*) from marts.articles").fetchone()[0] == 3


def test_parts_a_publish_supersedes_stay_for_open_readers_then_go(tmp_path):
    warehouse_path, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    first = datetime(2025, 2, 2, tzinfo=UTC)
    with duckdb.connect(str(warehouse_path)) as conn:
        with_marts(conn)
        add_article(conn, "new-1", date(2025, 2, 1), *MONTHS["2025-02"][1:])
        publish.publish(conn, published, now=first)
    reader = publish.connect_published(published)
    with duckdb.connect(str(warehouse_path)) as conn:
        add_article(conn, "new-2", date(2025, 2, 2), "النفط في موسكو", "المحادثات")
        publish.publish(conn, published, now=first)
        # the reader opened before the swap still reads its own parts, whole
        assert reader.sql("select count(*) from marts.articles").fetchone()[0] == 1
        assert publish.search_articles(reader, "النفط").height == 1
        later = first + publish.RETAIN_SUPERSEDED + timedelta(minutes=1)
        report = publish.publish(conn, published, now=later)
    reader.close()
    assert report.parts_written == 0 and report.parts_removed == 4
    with publish.connect_published(published) as conn:
        assert conn.sql("select count(*) from marts.articles").fetchone()[0] == 2
        listed = {row[0] for row in conn.sql("select file_name from published_parts").fetchall()}
    assert {name for name in month_parts(published)} == listed


def test_a_day_s_publish_fingerprints_only_the_months_its_rows_touched(tmp_path):
    warehouse_path, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse_path)) as conn:
        with_marts(conn)
        for number in range(5):
            add_article(conn, f"old-{number}", date(2025, 1, 10 + number), *MONTHS["2025-01"][1:])
        add_article(conn, "new-1", date(2025, 2, 1), *MONTHS["2025-02"][1:])
        first = publish.publish(conn, published)
        add_article(conn, "new-2", date(2025, 2, 2), "النفط في موسكو", "المحادثات حول أسعار النفط")
        day = publish.publish(conn, published)
    # the first publish reads every row: 6 raw and 6 marts articles; the day reads February's, 2 of each
    assert first.rows_fingerprinted == 12
    assert day.rows_fingerprinted == 4
    assert day.parts_written == 4  # February's raw and marts articles, its postings and its counts


def test_a_revision_or_a_late_link_target_on_a_later_day_rewrites_the_old_article_s_month(tmp_path):
    """The months an old article's rows live in change with a day whose rows name it: a revision of it, or the
    arrival of an article its stored related link points at."""
    warehouse_path, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse_path)) as conn:
        with_marts(conn)
        add_article(conn, "old", date(2025, 1, 10), *MONTHS["2025-01"][1:])
        add_article(conn, "other", date(2025, 1, 11), *MONTHS["2025-02"][1:])
        conn.execute(
            "create table marts.related_links as "
            "select 'old' as article_id, 'https://news.test/later' as url, null::varchar as target_article_id"
        )
        publish.publish(conn, published)
        before = month_parts(published)
        # February 3: a revision of the January article (the mart keeps its first sighting, with the new text)
        revised = ("المفاوضات تتعثر في موسكو", "توقفت المفاوضات في الكرملين")
        load_raw_article(conn, "old", date(2025, 2, 3), *revised, "h-old-2")
        conn.execute(
            "update marts.articles set title = ?, body_text = ?, content_hash = 'h-old-2' where article_id = 'old'",
            list(revised),
        )
        publish.publish(conn, published)
        with publish.connect_published(published) as copy:
            assert publish.search_articles(copy, "المفاوضات").get_column("article_id").to_list() == ["old"]
            assert (
                copy.sql("select title from marts.articles where article_id = 'old'").fetchone()[0]
                == revised[0]
            )
        # February 4: the article the January link points at arrives, and the build resolves the link
        add_article(conn, "later", date(2025, 2, 4), "وصل المقال", "نص المقال")
        conn.execute("update marts.related_links set target_article_id = 'later'")
        publish.publish(conn, published)
    with publish.connect_published(published) as copy:
        assert copy.sql("select target_article_id from marts.related_links").fetchall() == [("later",)]
        listed = {row[0] for row in copy.sql("select file_name from published_parts").fetchall()}
    january_links = {name for name in before if name.startswith("marts.related_links/2025-01-")}
    assert january_links and not january_links & listed


def test_an_article_a_backfill_moves_to_an_earlier_month_leaves_the_month_it_was_published_in(tmp_path):
    warehouse_path, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse_path)) as conn:
        with_marts(conn)
        add_article(conn, "story", date(2025, 2, 1), *MONTHS["2025-01"][1:])
        publish.publish(conn, published)
        # a backfill of January 20 finds the same story: its first sighting, so its month, moves to January
        load_raw_article(conn, "story", date(2025, 1, 20), *MONTHS["2025-01"][1:], "h-story")
        conn.execute("update marts.articles set first_seen_at = '2025-01-20 00:00:00+00'")
        publish.publish(conn, published)
    with publish.connect_published(published) as copy:
        assert copy.sql(
            "select article_id, strftime(first_seen_at, '%Y-%m') from marts.articles"
        ).fetchall() == [("story", "2025-01")]
        assert publish.search_articles(copy, "موسكو").get_column("article_id").to_list() == ["story"]
