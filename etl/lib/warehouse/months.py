"""How the published copy cuts each table into months, and which months a publish must look at again.

A table whose rows carry a write stamp (`loaded_at`, `quarantined_at`: the append-only raw and quarantine tables)
is cut by its own `partition_date` (else `first_seen_at`); a table of articles without both (the marts) follows
its article's month in `marts.articles`, so an article's images, links and revisions live beside it whichever
day rewrote them; any other table by its own date, else as one part.

What changed since the last publish is read from the write stamps, not from every row: the stamped rows written
after the watermark the last publish recorded (a range filter that DuckDB's zonemaps answer by skipping the row
groups of earlier loads, since rows are appended in stamp order) give their tables' months, and the articles
they name (by id or by URL, and the stored links that point at them) give the months of the marts. Only those
months are fingerprinted again. A table with neither a stamp nor an article (`raw.pages`, `marts.site_daily`) is
fingerprinted whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

# a column stamping when a row was written, in the tables only ever appended to (or replaced by day)
WRITE_STAMPS = ("loaded_at", "quarantined_at")
# the table whose months the tables of articles follow, and the search index's source
ARTICLES = "marts.articles"
# a column of a table of articles naming another article: its row changes when that article arrives
_TARGET = "target_article_id"


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(catalog: str, table: str) -> str:
    schema, name = table.split(".")
    return f"{sql_identifier(catalog)}.{sql_identifier(schema)}.{sql_identifier(name)}"


def columns(conn: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    """The table's columns and their types, in order."""
    schema, name = table.split(".")
    return conn.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, name],
    ).fetchall()


@dataclass(frozen=True, slots=True)
class TableMonths:
    """How one table is cut: `source` is its rows with their month as `__month`; `stamp` its write stamp."""

    table: str
    source: str
    stamp: str | None
    follows_articles: bool


def _own_month(names: set[str]) -> str | None:
    """The month of a row from a date of its own: its day's, else its first sighting's."""
    for column in ("partition_date", "first_seen_at"):
        if column in names:
            return f"coalesce(strftime({column}, '%Y-%m'), 'none')"
    return None


def _article_months(conn: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """Each article's id and month, from `marts.articles`."""
    month = _own_month({name for name, _ in columns(conn, catalog, ARTICLES)}) or "'all'"
    return f"(select article_id, {month} as month from {qualified(catalog, ARTICLES)})"


def table_months(
    conn: duckdb.DuckDBPyConnection, catalog: str, table: str, tables: Sequence[str]
) -> TableMonths:
    names = {name for name, _ in columns(conn, catalog, table)}
    stamp = next((column for column in WRITE_STAMPS if column in names), None)
    rows = qualified(catalog, table)
    own = _own_month(names)
    # a mart copying its raw rows' `loaded_at` (revisions) is rewritten by builds: that is no write stamp
    if (stamp is None or own is None) and "article_id" in names and table != ARTICLES and ARTICLES in tables:
        source = f"""(
            select coalesce(months.month, 'none') as __month, rows.*
            from {rows} as rows
            left join {_article_months(conn, catalog)} as months on months.article_id = rows.article_id
        )"""
        return TableMonths(table, source, None, follows_articles=True)
    if own is not None:
        return TableMonths(table, f"(select {own} as __month, * from {rows})", stamp, follows_articles=False)
    return TableMonths(table, f"(select 'all' as __month, * from {rows})", stamp, follows_articles=False)


@dataclass(frozen=True, slots=True)
class Changes:
    """The months to fingerprint again, by table (a table absent: every month), and the stamps to record."""

    months: Mapping[str, frozenset[str]]
    watermarks: Mapping[str, datetime]


def changed_months(
    conn: duckdb.DuckDBPyConnection,
    catalog: str,
    layouts: Sequence[TableMonths],
    since: Mapping[str, datetime] | None,
    published_articles: Mapping[str, str],
) -> Changes:
    """The months of each table that rows written after the last publish's watermarks `since` can have changed,
    and the new watermarks. A stamped table the last publish recorded no watermark for is looked at whole.

    `published_articles` maps each Parquet part of the published `marts.articles` to its month: an article a
    day's rows name may have moved month since (a backfill of an earlier day moves its first sighting), and the
    month it was published in must lose it. Without `since` (a publish that looks at every month), only the
    watermarks are read."""
    months: dict[str, frozenset[str]] = {}
    marks: dict[str, datetime] = {}
    article_ids: set[str] = set()
    urls: set[str] = set()
    for layout in layouts:
        if layout.stamp is None:
            continue
        stamp = sql_identifier(layout.stamp)
        previous = since.get(layout.table) if since else None
        written = f"(select * from {layout.source} where {stamp} > ?)" if previous else layout.source
        params = [previous] if previous else []
        (latest,) = conn.execute(f"select max({stamp}) from {written}", params).fetchone()
        if latest is not None or previous is not None:
            marks[layout.table] = latest or previous
        if since is None:
            continue
        if previous is not None:
            months[layout.table] = frozenset(
                month
                for (month,) in conn.execute(f"select distinct __month from {written}", params).fetchall()
            )
        names = {name for name, _ in columns(conn, catalog, layout.table)}
        # what the new rows name: the articles a build rewrote from them; a row of no article (the fetch log)
        # names its page by URL, as a revisit's 304 that moves the article's last fetch. (An article's image or
        # link has a `url` too: its picture's or its target's, not the article's.)
        if "article_id" in names:
            article_ids |= _values(conn, f"select distinct article_id from {written}", params)
        elif "url" in names:
            urls |= _values(conn, f"select distinct url from {written}", params)
    if since is not None and ARTICLES in {layout.table for layout in layouts}:
        touched = _touched_article_months(conn, catalog, layouts, article_ids, urls)
        touched |= _published_months(conn, published_articles, article_ids)
        months[ARTICLES] = touched
        for layout in layouts:
            if layout.follows_articles:
                months[layout.table] = touched
    return Changes(months, marks)


def _published_months(
    conn: duckdb.DuckDBPyConnection, published_articles: Mapping[str, str], article_ids: set[str]
) -> frozenset[str]:
    """The months of the published parts of `marts.articles` holding one of `article_ids` (their id column)."""
    if not published_articles or not article_ids:
        return frozenset()
    files = ", ".join("'" + path.replace("'", "''") + "'" for path in published_articles)
    holding = _values(
        conn,
        f"select distinct filename from read_parquet([{files}], filename = true) "
        "where article_id in (select unnest($ids))",
        {"ids": sorted(article_ids)},
    )
    return frozenset(published_articles[path] for path in holding)


def _values(conn: duckdb.DuckDBPyConnection, query: str, params: list | dict) -> set[str]:
    return {value for (value,) in conn.execute(query, params).fetchall() if value is not None}


def _touched_article_months(
    conn: duckdb.DuckDBPyConnection,
    catalog: str,
    layouts: Sequence[TableMonths],
    article_ids: set[str],
    urls: set[str],
) -> frozenset[str]:
    """The months of the articles the new rows name, and of the articles whose stored links point at them: a
    narrow pass over the ids and URLs of `marts.articles` (and the link targets), not over their rows."""
    if not article_ids and not urls:
        return frozenset()
    ids, named = sorted(article_ids), sorted(urls)
    by_url = (
        " or url in (select unnest($urls))"
        if "url" in {n for n, _ in columns(conn, catalog, ARTICLES)}
        else ""
    )
    touched = _values(
        conn,
        f"""select distinct months.month from {_article_months(conn, catalog)} as months
        where months.article_id in (
            select article_id from {qualified(catalog, ARTICLES)} where article_id in (select unnest($ids)){by_url}
        )""",
        {"ids": ids, "urls": named} if by_url else {"ids": ids},
    )
    for layout in layouts:
        if layout.follows_articles and _TARGET in {name for name, _ in columns(conn, catalog, layout.table)}:
            touched |= _values(
                conn,
                f"select distinct __month from {layout.source} where {_TARGET} in (select unnest($ids))",
                {"ids": ids},
            )
    return frozenset(touched)
