"""The DuckDB warehouse: the DDL of the `work`, `raw` and `quarantine` schemas and the loads into them.

Every load is one transaction that inserts from a registered Arrow frame with `insert … select … where not
exists` on the table's natural key, so re-running a partition, or re-running a load that was killed half-way,
neither duplicates nor loses a row; no load updates or deletes a `raw.*` row. `work.*` tables are scratch space
that stage assets hand over through: each stage replaces its day's rows, and the load empties the day from all of
them once the day is in `raw.*` (`clear_work_day`), so they never hold history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from etl.lib import schema
from etl.lib.frames import conform
from etl.lib.schema import (
    CONTENT_TABLES,
    DAY_LOGS,
    FETCH_OUTCOMES,
    PAGE_OUTCOMES,
    PAGES,
    ROW_NUMBER,
    WORK_TABLES,
)

# DuckDB's default memory limit is 80% of the machine's memory, and it caches up to that: loading a large
# day or copying a large warehouse for publishing would grow the run by as much. Above this it spills to disk.
# dbt's connection has the same limit (dbt/profiles.yml).
CONNECTION_CONFIG = {"memory_limit": "512MB"}

_DUCKDB_TYPES: dict[pl.DataType, str] = {
    pl.String: "varchar",
    pl.Date: "date",
    pl.Int32: "integer",
    pl.Int64: "bigint",
    pl.Float64: "double",
    pl.Boolean: "boolean",
    schema.UTC_TIMESTAMP: "timestamptz",
    schema.STRINGS: "varchar[]",
}

# A page's state after a final fetch: the fetch's own outcome, and the validators (what the next conditional GET
# sends) of the fetch itself when it is `ok` or the page's first, else those of the state before it, so a failed
# or `not_modified` revisit never erases them.
_VALIDATORS = ("final_url", "etag", "last_modified", "body_sha256", "archive_key", "encoding", "content_type")
# The current state of each page (`raw.current_pages`): its newest row of `raw.pages`, with the first sighting and
# last good fetch over all its rows (an older day loaded late appends a row that is not the newest, yet may be the
# first sighting). A table of one row per page kept by each fetch-log load from the day's rows, not a view that
# groups every fetch of history: the fetch plan, the conditional GET and dbt's `stg_news__pages` read it every
# day. Merging a state into it is idempotent and order-free (newest, max, min), so it is the grouping over
# `raw.pages` whatever order days are loaded in; `raw.pages` stays the append-only history.
CURRENT_PAGES = "raw.current_pages"
_PAGE_STATE = tuple(name for name in PAGES if name not in ("first_seen_at", "last_ok_at"))
_CURRENT_PAGES_GROUPED = f"""
    select {", ".join(_PAGE_STATE)},
        max(last_ok_at) over by_url as last_ok_at,
        min(first_seen_at) over by_url as first_seen_at
    from raw.pages
    window by_url as (partition by url)
    qualify row_number() over (partition by url order by last_fetched_at desc) = 1
"""


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """Rows a content load inserted; zero everywhere when the same load runs again."""

    articles: int
    images: int
    related_links: int


def _column_definitions(columns: pl.Schema, extra: Sequence[str] = ()) -> list[str]:
    return [*(f"{name} {_DUCKDB_TYPES[dtype]}" for name, dtype in columns.items()), *extra]


def _contract_tables() -> dict[str, list[str]]:
    """Every table made from a column contract, with its column definitions (`name type`) in order."""
    tables = {f"work.{name}": _column_definitions(columns) for name, columns in WORK_TABLES.items()}
    loaded = ["partition_date date", "run_id varchar", "loaded_at timestamptz"]
    for name, (columns, _key) in DAY_LOGS.items():
        tables[f"raw.{name}"] = _column_definitions(columns, loaded)
    tables[CURRENT_PAGES] = _column_definitions(PAGES)
    for name, (columns, _key) in CONTENT_TABLES.items():
        tables[f"raw.{name}"] = _column_definitions(columns, ["run_id varchar", "loaded_at timestamptz"])
        tables[f"quarantine.{name}"] = _column_definitions(
            columns,
            [
                "failed_expectations varchar[]",
                "row_hash varchar",
                "run_id varchar",
                "quarantined_at timestamptz",
            ],
        )
    tables["quarantine.field_issues"] = _column_definitions(
        schema.FIELD_ISSUES, ["quarantined_at timestamptz"]
    )
    return tables


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create every schema and table the pipeline writes, and add the columns a table made by an earlier
    version lacks (null in its old rows); existing columns and rows are left untouched."""
    tables = _contract_tables()
    with _transaction(conn):
        for name in ("work", "raw", "quarantine"):
            conn.execute(f"create schema if not exists {name}")
        # an earlier version's pages (keyed, or behind a view that grouped them) make the first current states
        unkeyed = _unkey_pages(conn)
        fill_current_pages = (
            _drop_current_pages_view(conn) or unkeyed or _relation_type(conn, CURRENT_PAGES) is None
        )
        for table, columns in tables.items():
            conn.execute(f"create table if not exists {table} (\n    " + ",\n    ".join(columns) + "\n)")
        present = set(
            conn.execute(
                "select schema_name || '.' || table_name, column_name from duckdb_columns() "
                "where database_name = current_database()"
            ).fetchall()
        )
        for table, columns in tables.items():
            for column in columns:
                if (table, column.split(" ", 1)[0]) not in present:
                    conn.execute(f"alter table {table} add column {column}")
        if fill_current_pages:
            _fill_current_pages(conn)


def _relation_type(conn: duckdb.DuckDBPyConnection, relation: str) -> str | None:
    """'BASE TABLE' or 'VIEW' for a relation `schema.name` of the warehouse, None when there is none."""
    schema_name, name = relation.split(".")
    found = conn.execute(
        "select table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema_name, name],
    ).fetchone()
    return found[0] if found else None


def _drop_current_pages_view(conn: duckdb.DuckDBPyConnection) -> bool:
    """Drop the view an earlier version kept `raw.current_pages` as (it grouped all of `raw.pages` on every
    read); True when there was one, so the table that replaces it is filled from `raw.pages`."""
    if _relation_type(conn, CURRENT_PAGES) != "VIEW":
        return False
    conn.execute(f"drop view {CURRENT_PAGES}")
    return True


def _fill_current_pages(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"delete from {CURRENT_PAGES}")
    conn.execute(f"insert into {CURRENT_PAGES} by name {_CURRENT_PAGES_GROUPED}")


def rebuild_current_pages(conn: duckdb.DuckDBPyConnection) -> None:
    """Recompute `raw.current_pages` from all of `raw.pages`: for rows written into `raw.pages` other than by
    `load_fetch_log` (a seeded benchmark warehouse); a load keeps it current from the day's rows."""
    with _transaction(conn):
        _fill_current_pages(conn)


def _unkey_pages(conn: duckdb.DuckDBPyConnection) -> bool:
    """Make the `raw.pages` of an earlier version, one row per url kept current by upserts, the first rows of
    the append-only table: its primary key would refuse a page's second row, and DuckDB cannot drop one. True
    when it did."""
    keyed = conn.execute(
        "select count(*) from duckdb_constraints() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = 'pages' and constraint_type = 'PRIMARY KEY'"
    ).fetchone()
    if keyed and keyed[0]:
        conn.execute("create table raw.pages_unkeyed as select * from raw.pages")
        conn.execute("drop table raw.pages")
        conn.execute("alter table raw.pages_unkeyed rename to pages")
        return True
    return False


def stored_articles_named(conn: duckdb.DuckDBPyConnection, id_urls: pl.Series) -> pl.DataFrame:
    """The stored rows of the articles that `id_urls` already identify (`article_id` = sha256 of the URL):
    id_url, url, title, near_duplicate_cluster_id (see etl.lib.normalize.identity.StoredArticles)."""
    wanted = pl.DataFrame({"id_url": id_urls}, schema={"id_url": pl.String})
    with _registered(conn, wanted) as source:
        return conn.sql(
            f"""
            select distinct w.id_url, a.url, a.title, a.near_duplicate_cluster_id
            from {source} w
            inner join raw.articles a on a.article_id = sha256(w.id_url)
            """
        ).pl()


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.execute("begin transaction")
    try:
        yield
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


@contextmanager
def _registered(conn: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> Iterator[str]:
    """Expose `frame` to SQL under a fresh name, so nested or repeated loads never see each other's data."""
    name = f"frame_{uuid.uuid4().hex}"
    conn.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        conn.unregister(name)


def _count(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0


def _not_exists(target: str, key: Sequence[str]) -> str:
    # `is not distinct from` so a null key column still matches itself and never duplicates on re-run
    condition = " and ".join(f"t.{column} is not distinct from f.{column}" for column in key)
    return f"not exists (select 1 from {target} t where {condition})"


def _insert_new(
    conn: duckdb.DuckDBPyConnection, target: str, source: str, select: str, key: Sequence[str]
) -> int:
    """Insert rows of `select … from source f` whose key is new, once per key even if the frame repeats it."""
    partition = ", ".join(key)
    query = f"""
        insert into {target} by name
        select * from (
            select {select} from {source} f
            where {_not_exists(target, key)}
            qualify row_number() over (partition by {partition}) = 1
        )
    """
    return _count(conn.execute(query))


def replace_partition(
    conn: duckdb.DuckDBPyConnection, table: str, partition_date: date, frame: pl.DataFrame
) -> int:
    """Replace one day of a `work.*` scratch table with `frame`; returns the rows written. For a table keyed by
    `row_number` (`work.normalized_*`) a frame without one is numbered in order from 0: the key validation's
    verdicts refer to."""
    name = _work_table(table)
    if ROW_NUMBER in WORK_TABLES[name] and ROW_NUMBER not in frame.columns:
        frame = frame.with_row_index(ROW_NUMBER)
    rows = conform(
        frame.with_columns(partition_date=pl.lit(partition_date, pl.Date)), WORK_TABLES[name], f"work.{name}"
    )
    with _registered(conn, rows) as source, _transaction(conn):
        conn.execute(f"delete from work.{name} where partition_date = ?", [partition_date])
        return _count(conn.execute(f"insert into work.{name} by name select * from {source}"))


def _work_table(table: str) -> str:
    """The name of a `work.*` scratch table, or a one-line error naming the ones there are."""
    name = table.removeprefix("work.")
    if name not in WORK_TABLES:
        raise ValueError(f"not a work table: {table!r} (expected one of {', '.join(WORK_TABLES)})")
    return name


def read_partition(conn: duckdb.DuckDBPyConnection, table: str, partition_date: date) -> pl.DataFrame:
    """One day of a `work.*` scratch table, as its stage wrote it (in `row_number` order where it has one)."""
    name = _work_table(table)
    order = f"order by {ROW_NUMBER}" if ROW_NUMBER in WORK_TABLES[name] else ""
    return conn.sql(
        f"select * from work.{name} where partition_date = $day {order}", params={"day": partition_date}
    ).pl()


def read_validated(conn: duckdb.DuckDBPyConnection, table: str, partition_date: date) -> pl.DataFrame:
    """The day's normalized rows of `table` (articles | images | related_links) that validation let through,
    with the optional fields it found bad null, in the order normalization wrote them: what the load appends."""
    if table not in CONTENT_TABLES:
        raise ValueError(f"not a content table: {table!r} (expected one of {', '.join(CONTENT_TABLES)})")
    columns = ", ".join(
        f"case when list_contains(v.nulled_fields, '{column}') then null else n.{column} end as {column}"
        for column in CONTENT_TABLES[table][0]
    )
    return conn.sql(
        f"""
        select {columns}
        from work.normalized_{table} n
        inner join work.validated_rows v
            on v.table_name = $table and v.partition_date = n.partition_date and v.row_number = n.row_number
        where n.partition_date = $day
        order by n.row_number
        """,
        params={"table": table, "day": partition_date},
    ).pl()


def clear_work_day(conn: duckdb.DuckDBPyConnection, partition_date: date) -> int:
    """Empty one day from every `work.*` table, once the day is loaded; returns the rows deleted.

    Until then a step retried or re-executed finds its input; after, a re-run of the day extracts again (from
    the archive, or nothing when every body's article is stored), so no later stage reads a stale hand-over.
    """
    with _transaction(conn):
        return sum(
            _count(conn.execute(f"delete from work.{name} where partition_date = ?", [partition_date]))
            for name in WORK_TABLES
        )


def _append_day(
    conn: duckdb.DuckDBPyConnection, table: str, partition_date: date, run_id: str, frame: pl.DataFrame
) -> int:
    """Append a day's rows of a `raw.*` log stamped with the day and the run, once per its natural key."""
    columns, key = DAY_LOGS[table]
    rows = conform(frame, columns, f"raw.{table}").with_columns(
        partition_date=pl.lit(partition_date, pl.Date), run_id=pl.lit(run_id, pl.String)
    )
    with _registered(conn, rows) as source, _transaction(conn):
        return _insert_new(conn, f"raw.{table}", source, "f.*, now() as loaded_at", key)


def load_discovered(
    conn: duckdb.DuckDBPyConnection, partition_date: date, run_id: str, frame: pl.DataFrame
) -> int:
    """Append the day's discovered URLs, one row per (partition_date, url, source_url); returns rows added."""
    return _append_day(conn, "discovered_urls", partition_date, run_id, frame)


def load_discovery_errors(
    conn: duckdb.DuckDBPyConnection, partition_date: date, run_id: str, frame: pl.DataFrame
) -> int:
    """Append the sources that could not be read, one row per (partition_date, run_id, site, source_url)."""
    return _append_day(conn, "discovery_errors", partition_date, run_id, frame)


def load_field_shares(
    conn: duckdb.DuckDBPyConnection, partition_date: date, run_id: str, frame: pl.DataFrame
) -> int:
    """Append the day's per-site field shares (`FIELD_SHARES`), one row per (partition_date, run_id, site)."""
    return _append_day(conn, "field_shares", partition_date, run_id, frame)


def load_extraction_outcomes(
    conn: duckdb.DuckDBPyConnection, partition_date: date, run_id: str, frame: pl.DataFrame
) -> int:
    """Append extraction's verdicts on the day's bodies that are no article, one row per (partition_date,
    archive_key); returns rows added. `raw.fetch_log` keeps what the fetcher saw of the same pages."""
    unknown = set(frame.get_column("outcome").to_list()) - set(PAGE_OUTCOMES)
    if unknown:
        raise ValueError(f"raw.extraction_outcomes: unknown page outcomes {sorted(map(str, unknown))}")
    return _append_day(conn, "extraction_outcomes", partition_date, run_id, frame)


def load_fetch_log(
    conn: duckdb.DuckDBPyConnection, partition_date: date, run_id: str, frame: pl.DataFrame
) -> int:
    """Append fetch attempts to `raw.fetch_log`, and each URL's latest final attempt to `raw.pages` as the
    page's state after it; returns attempts added.

    An attempt is identified by (url, attempt, fetched_at), a page state by (url, last_fetched_at), so re-loading
    the same attempts adds nothing while a later re-fetch of the same URL is a new row; no row is ever rewritten.
    A state keeps the validators (ETag, Last-Modified, body hash) of the last successful fetch before it, so a
    failed or `not_modified` revisit never erases them. The same transaction folds the states into
    `raw.current_pages`, each page's newest state, so it never disagrees with `raw.pages`.
    """
    columns, key = DAY_LOGS["fetch_log"]
    rows = conform(frame, columns, "raw.fetch_log").with_columns(
        partition_date=pl.lit(partition_date, pl.Date), run_id=pl.lit(run_id, pl.String)
    )
    unknown = set(rows.get_column("outcome").drop_nulls().unique().to_list()) - set(FETCH_OUTCOMES)
    if unknown or rows.get_column("outcome").null_count():
        raise ValueError(f"raw.fetch_log: unknown fetch outcomes {sorted(unknown) or ['<null>']}")
    with _registered(conn, rows) as source, _transaction(conn):
        added = _insert_new(conn, "raw.fetch_log", source, "f.*, now() as loaded_at", key)
        latest = f"""(
            select * from {source}
            where is_final
            qualify row_number() over (partition by url order by fetched_at desc, attempt desc) = 1
        )"""
        states = conn.sql(_page_states_sql(latest, _page_history(conn, latest))).pl()
        with _registered(conn, states) as new_states:
            _insert_new(conn, "raw.pages", new_states, "f.*, now() as loaded_at", DAY_LOGS["pages"][1])
            _merge_current_pages(conn, new_states)
        return added


def _page_history(conn: duckdb.DuckDBPyConnection, latest: str) -> str:
    """Where the states before the day's fetches are read: `raw.current_pages`, each page's newest state, when
    every fetch is newer than its page's state (every run but a late load of an older day); else `raw.pages`."""
    late = conn.execute(
        f"select count(*) from {latest} a inner join {CURRENT_PAGES} c "
        "on c.url = a.url and a.fetched_at < c.last_fetched_at"
    ).fetchone()
    return "raw.pages" if late and late[0] else CURRENT_PAGES


def _page_states_sql(latest: str, history: str) -> str:
    """Each page's state after its newest final attempt in `latest`: the attempt's outcome, the validators of
    the attempt when it is `ok` or the page's first, else those of the newest state before it, and the first
    sighting and last good fetch over every state before it and the attempt."""
    validators = ",\n".join(
        f"case when p.url is null or a.outcome = 'ok' then a.{column} else p.{column} end as {column}"
        for column in _VALIDATORS
    )
    return f"""
        with before as (
            select p.url, {", ".join(f"p.{column}" for column in _VALIDATORS)},
                max(p.last_ok_at) over by_url as last_ok_at,
                min(p.first_seen_at) over by_url as first_seen_at
            from {history} p inner join {latest} a on a.url = p.url
            where p.last_fetched_at < a.fetched_at
            window by_url as (partition by p.url)
            qualify row_number() over (partition by p.url order by p.last_fetched_at desc) = 1
        )
        select
            a.url, a.site, a.outcome, a.status, a.fetched_at as last_fetched_at,
            {validators},
            greatest(p.last_ok_at, case when a.outcome in ('ok', 'not_modified') then a.fetched_at end)
                as last_ok_at,
            least(p.first_seen_at, a.fetched_at) as first_seen_at,
            a.partition_date, a.run_id
        from {latest} a left join before p on p.url = a.url
    """


def _merge_current_pages(conn: duckdb.DuckDBPyConnection, new_states: str) -> None:
    """Fold the day's page states into `raw.current_pages`: a state newer than the page's replaces its columns,
    and the first sighting and last good fetch are the min and max of both. Folding a state twice, or states in
    any order, gives the same row: the grouping over every state `raw.pages` holds."""
    newest = ",\n".join(
        f"case when c.url is null or s.last_fetched_at > c.last_fetched_at then s.{column} else c.{column} end "
        f"as {column}"
        for column in _PAGE_STATE
        if column != "url"
    )
    merged = conn.sql(
        f"""
        select s.url, {newest},
            greatest(c.last_ok_at, s.last_ok_at) as last_ok_at,
            least(c.first_seen_at, s.first_seen_at) as first_seen_at
        from {new_states} s left join {CURRENT_PAGES} c on c.url = s.url
        """
    ).pl()
    with _registered(conn, merged) as source:
        conn.execute(f"delete from {CURRENT_PAGES} where url in (select url from {source})")
        conn.execute(f"insert into {CURRENT_PAGES} by name select * from {source}")


def load_articles(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    articles: pl.DataFrame,
    images: pl.DataFrame,
    related_links: pl.DataFrame,
) -> LoadCounts:
    """Append new article revisions with their images and related links, all in one transaction.

    A row is new when its key is not stored yet: re-running a partition adds nothing, a changed article (new
    content hash) adds a row that dbt numbers as the next revision.
    """
    frames = {"articles": articles, "images": images, "related_links": related_links}
    conformed = {
        name: conform(frames[name], columns, f"raw.{name}").with_columns(run_id=pl.lit(run_id, pl.String))
        for name, (columns, _key) in CONTENT_TABLES.items()
    }
    counts: dict[str, int] = {}
    with _transaction(conn):
        for name, (_columns, key) in CONTENT_TABLES.items():
            with _registered(conn, conformed[name]) as source:
                counts[name] = _insert_new(conn, f"raw.{name}", source, "f.*, now() as loaded_at", key)
    return LoadCounts(**counts)


def load_quarantine(
    conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, run_id: str | None = None
) -> int:
    """Append rows that failed a critical expectation, with the names of what they failed; returns rows added.

    `frame` holds the table's RAW_* columns plus `failed_expectations` (list of names) and `run_id` (or pass
    `run_id`). A row is identified by a hash of its content and partition, so quarantining the same rows again
    adds nothing, even rows whose ids are null.
    """
    name = table.removeprefix("quarantine.")
    if name not in CONTENT_TABLES:
        raise ValueError(f"not a quarantine table: {table!r} (expected one of {', '.join(CONTENT_TABLES)})")
    if run_id is None and "run_id" not in frame.columns:
        raise ValueError(f"quarantine.{name}: no run_id column and no run_id given")
    columns = pl.Schema({**CONTENT_TABLES[name][0], "failed_expectations": schema.STRINGS})
    rows = conform(frame, columns, f"quarantine.{name}").with_columns(
        run_id=pl.lit(run_id, pl.String) if run_id is not None else frame.get_column("run_id").cast(pl.String)
    )
    content = ", ".join(columns)
    with _registered(conn, rows) as source, _transaction(conn):
        return _insert_new(
            conn,
            f"quarantine.{name}",
            f"(select *, md5(cast(struct_pack({content}) as varchar)) as row_hash from {source})",
            "f.*, now() as quarantined_at",
            ("row_hash",),
        )


def replace_field_issues(
    conn: duckdb.DuckDBPyConnection, partition_date: date, issues: pl.DataFrame, revisions: pl.DataFrame
) -> int:
    """Replace one day's field issues of the article revisions just validated; returns the rows written.

    `revisions` (article_id, content_hash) are the revisions validated now: their earlier issues of the day
    go, the others stay, so a re-run gives the same rows and a re-run that extracts nothing new (every page a
    304) keeps the issues of the rows it loaded before.
    """
    rows = conform(issues, schema.FIELD_ISSUES, "quarantine.field_issues").with_columns(
        partition_date=pl.lit(partition_date, pl.Date)
    )
    validated = conform(
        revisions, pl.Schema({"article_id": pl.String, "content_hash": pl.String}), "revisions"
    )
    with _registered(conn, rows) as source, _registered(conn, validated) as again, _transaction(conn):
        conn.execute(
            f"""
            delete from quarantine.field_issues t
            where t.partition_date = ? and exists (
                select 1 from {again} r
                where t.article_id is not distinct from r.article_id
                  and t.content_hash is not distinct from r.content_hash
            )
            """,
            [partition_date],
        )
        return _count(
            conn.execute(
                f"insert into quarantine.field_issues by name select *, now() as quarantined_at from {source}"
            )
        )


def fetch_state(conn: duckdb.DuckDBPyConnection, urls: list[str]) -> pl.DataFrame:
    """The validators of each known URL's last successful fetch, for a conditional GET; unknown URLs are absent."""
    wanted = pl.DataFrame({"url": urls}, schema={"url": pl.String})
    with _registered(conn, wanted) as source:
        return conn.sql(
            f"""
            select p.url, p.etag, p.last_modified, p.body_sha256, p.archive_key, p.final_url, p.outcome,
                p.last_fetched_at, p.last_ok_at
            from {CURRENT_PAGES} p
            where p.url in (select url from {source})
            order by p.url
            """
        ).pl()
