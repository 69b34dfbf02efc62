"""The analysts' copy of the warehouse: a read-only DuckDB file that each successful run swaps in atomically.

Runs write `warehouse.duckdb`; analysts open `published.duckdb` read-only. `publish` builds the next copy in a
temporary file beside the published one (tables of the `marts`, `raw` and `quarantine` schemas with their
comments, the search schema of `etl.lib.warehouse.search`, and `published_schemas`, which says which schemas are stable)
and renames it over the published file. The rename is atomic, and a connection opened before it keeps reading
the file it opened (the old inode lives until its last reader closes), so an analyst never waits on a run and
never sees half of one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import duckdb
import duckdb_extension_fts  # an empty package: only a folder holding the extension binary
import polars as pl

from etl.lib.warehouse import search

# the schemas the copy holds, whether analysts may build on them, and what they are for
PUBLISHED_SCHEMAS = {
    "marts": ("stable", "the analysts' contract: articles, images, related links, revisions, site funnel"),
    search.SCHEMA: (
        "stable",
        "search.match(words): article_id and BM25 score of the articles matching words",
    ),
    "raw": ("internal", "the pipeline's loaded rows and fetch log, as stages wrote them; may change"),
    "quarantine": ("internal", "rows that failed a critical expectation, with what they failed; may change"),
    search.INDEX_SCHEMA: ("internal", "the full-text index behind search.match"),
}
COPIED_SCHEMAS = ("marts", "raw", "quarantine")
SEARCH_INDEX_SCHEMA = search.INDEX_SCHEMA
# the next published copy, attached to the warehouse's connection while it is built
_BUILD = "published_build"
# the published copy, attached read-only to the warehouse's connection to compare the two
_CHECK = "published_now"


def fts_extension_path() -> Path:
    """The fts extension binary that the `duckdb-extension-fts` wheel ships for this DuckDB version."""
    path = (
        Path(duckdb_extension_fts.__file__).parent
        / "extensions"
        / f"v{duckdb.__version__}"
        / "fts.duckdb_extension"
    )
    if not path.is_file():
        raise RuntimeError(
            f"duckdb-extension-fts has no build for DuckDB {duckdb.__version__}: {path} is missing"
        )
    return path


def load_fts(conn: duckdb.DuckDBPyConnection) -> None:
    """Load the full-text-search extension from the installed wheel, never from the network."""
    conn.execute(f"load '{fts_extension_path()}'")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _base_tables(conn: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return conn.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = ? and table_type = 'BASE TABLE' and table_schema in ?
        order by table_schema, table_name
        """,
        [catalog, list(COPIED_SCHEMAS)],
    ).fetchall()


def publish(warehouse: Path | duckdb.DuckDBPyConnection, published_path: Path) -> None:
    """Build a fresh read-only copy of the warehouse's marts, raw and quarantine tables and swap it in atomically.

    `warehouse` is the warehouse file, or a connection already open on it (DuckDB refuses a second connection
    with another configuration in the same process, so a caller that holds one passes it).
    """
    published_path = Path(published_path)
    published_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_copies(published_path)
    # same folder, so the rename stays within one filesystem and is atomic
    staging_path = published_path.with_name(f".{published_path.stem}-{uuid.uuid4().hex}.duckdb")
    try:
        if isinstance(warehouse, duckdb.DuckDBPyConnection):
            _build_copy(warehouse, staging_path)
        else:
            if not Path(warehouse).is_file():
                raise FileNotFoundError(f"no warehouse to publish at {warehouse}")
            with duckdb.connect(str(warehouse)) as conn:
                _build_copy(conn, staging_path)
        staging_path.replace(published_path)
    finally:
        staging_path.unlink(missing_ok=True)
        Path(f"{staging_path}.wal").unlink(missing_ok=True)


def _remove_abandoned_copies(published_path: Path) -> None:
    """Delete the half-built copies (and their WAL files) of publishes that were killed before their rename.
    Only one publish of a home runs at a time (the home's run lock and the `duckdb` pool), so none is live."""
    for abandoned in published_path.parent.glob(f".{published_path.stem}-*.duckdb*"):
        abandoned.unlink(missing_ok=True)


def is_current(conn: duckdb.DuckDBPyConnection, published_path: Path, tables: Sequence[str]) -> bool:
    """True when the published copy holds as many rows of each of the warehouse's append-only `tables` as the
    warehouse: then no row has been loaded since a run built the marts from every row and published them.

    Read from the copy itself, not from the run's history: a run killed after loading and before its rename
    leaves rows in the warehouse that the copy lacks, and the next run must build and publish again even if it
    loads nothing itself.
    """
    if not Path(published_path).is_file():
        return False
    conn.execute(f"attach {_sql_string(str(published_path))} as {_CHECK} (read_only)")
    try:
        for table in tables:
            schema, name = table.split(".")
            present = conn.execute(
                "select count(*) from information_schema.tables "
                "where table_catalog = ? and table_schema = ? and table_name = ?",
                [_CHECK, schema, name],
            ).fetchone()[0]
            if not present:
                return False
            copied, stored = conn.sql(
                f"select (select count(*) from {_CHECK}.{table}), (select count(*) from {table})"
            ).fetchone()
            if copied != stored:
                return False
        return True
    finally:
        conn.execute(f"detach {_CHECK}")


def _build_copy(conn: duckdb.DuckDBPyConnection, staging_path: Path) -> None:
    """The copy and its search index, built through the warehouse's own connection: one DuckDB instance within
    one memory limit. (Built in a second instance, the index had a memory limit of its own beside the first's.)"""
    catalog = conn.sql("select current_database()").fetchone()[0]
    conn.execute(f"attach {_sql_string(str(staging_path))} as {_BUILD}")
    try:
        _copy_tables(conn, catalog)
        _build_search_index(conn)
        _describe_schemas(conn)
        conn.execute(f"checkpoint {_BUILD}")
    finally:
        conn.execute(f"use {_sql_identifier(catalog)}")
        conn.execute(f"detach {_BUILD}")


def _copy_tables(conn: duckdb.DuckDBPyConnection, catalog: str) -> None:
    # one transaction: every table is read from the same snapshot, so a run that commits meanwhile is either
    # wholly in the copy or wholly out of it
    conn.execute("begin transaction")
    try:
        tables = _base_tables(conn, catalog)
        for schema in sorted({schema for schema, _ in tables}):
            conn.execute(f"create schema {_BUILD}.{schema}")
        for schema, table in tables:
            conn.execute(
                f'create table {_BUILD}.{schema}."{table}" as select * from {_sql_identifier(catalog)}.{schema}."{table}"'
            )
        _copy_comments(conn, catalog)
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


def _copy_comments(conn: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """The descriptions dbt persists on the marts (`persist_docs`), so `describe`, the DuckDB CLI or DBeaver
    show them in the copy too: `create table as` copies the rows, not the comments."""
    for schema, table, comment in conn.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name in ? and comment is not null",
        [catalog, list(COPIED_SCHEMAS)],
    ).fetchall():
        conn.execute(f'comment on table {_BUILD}.{schema}."{table}" is {_sql_string(comment)}')
    for schema, table, column, comment in conn.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name in ? and comment is not null",
        [catalog, list(COPIED_SCHEMAS)],
    ).fetchall():
        conn.execute(
            f'comment on column {_BUILD}.{schema}."{table}".{_sql_identifier(column)} is {_sql_string(comment)}'
        )


def _describe_schemas(conn: duckdb.DuckDBPyConnection) -> None:
    # DuckDB has no comments on schemas: a table in the default schema says it instead
    conn.execute(
        f"create table {_BUILD}.main.published_schemas "
        "(schema_name varchar, stability varchar, description varchar)"
    )
    conn.executemany(
        f"insert into {_BUILD}.main.published_schemas values (?, ?, ?)",
        [(name, stability, what) for name, (stability, what) in PUBLISHED_SCHEMAS.items()],
    )
    conn.execute(
        f"comment on table {_BUILD}.main.published_schemas is "
        "'Which schemas of this copy are stable (build on them) and which internal (may change).'"
    )


def _build_search_index(conn: duckdb.DuckDBPyConnection) -> None:
    has_articles = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = ? and table_schema = 'marts' and table_name = 'articles'",
        [_BUILD],
    ).fetchone()[0]
    if not has_articles:
        return
    load_fts(conn)
    # `create_fts_index` indexes a table of the current database, and writes its tables and macros there
    # (`_build_copy` switches back to the warehouse)
    conn.execute(f"use {_BUILD}")
    # The index build gains nothing from a second thread: over 2,233 corpus articles it took 2.6 s on one and
    # 2.7-3.8 s (and up to twice the CPU and a third more memory) on two.
    threads = conn.sql("select current_setting('threads')").fetchone()[0]
    conn.execute("set threads = 1")
    try:
        search.build_search(conn, _BUILD)
    finally:
        conn.execute(f"set threads = {int(threads)}")


def connect_published(published_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published copy read-only, with full-text search ready to use."""
    conn = duckdb.connect(str(published_path), read_only=True)
    load_fts(conn)
    return conn


def search_articles(conn: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> pl.DataFrame:
    """Articles whose title or body match `query` (BM25 over Arabic-normalized words), best first."""
    return conn.execute(
        f"""
        select articles.article_id, articles.site, articles.title, articles.published_at, matches.score
        from {search.SCHEMA}.match(?) as matches
        join marts.articles as articles on articles.article_id = matches.article_id
        order by matches.score desc, articles.article_id
        limit ?
        """,
        [query, limit],
    ).pl()


def export_parquet(conn_or_path: duckdb.DuckDBPyConnection | Path, out_dir: Path) -> list[Path]:
    """Write each mart as `<out_dir>/<mart>.parquet` (zstd); returns the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(conn_or_path, duckdb.DuckDBPyConnection):
        return _export_marts(conn_or_path, out_dir)
    with duckdb.connect(str(conn_or_path), read_only=True) as conn:
        return _export_marts(conn, out_dir)


def _export_marts(conn: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    marts = conn.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' and table_catalog = current_database() and table_type = 'BASE TABLE' "
        "order by table_name"
    ).fetchall()
    written = []
    for (table,) in marts:
        target = out_dir / f"{table}.parquet"
        # write beside the target and rename, so a reader never opens a half-written file
        partial = target.with_suffix(".parquet.partial")
        conn.execute(
            f'copy marts."{table}" to {_sql_string(str(partial))} (format parquet, compression zstd)'
        )
        partial.replace(target)
        written.append(target)
    return written
