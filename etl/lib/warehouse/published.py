"""The analysts' copy of the warehouse: a small read-only catalog file over immutable Parquet parts, swapped in
atomically after each good run; a day writes the parts of the months it changed, not the history.

Runs write `warehouse.duckdb`; analysts open `published.duckdb` read-only. That file holds no rows: each table of
the `marts`, `raw` and `quarantine` schemas is a view over Parquet parts in `published.parts/`, one per month of
the table (its `partition_date`, else its `first_seen_at`, else its article's month in `marts.articles`), with
the warehouse's comments, the search macros and index of `etl.lib.warehouse.search`, and `published_schemas`.

`publish` reads the warehouse in one transaction (one snapshot), fingerprints each month of each table (row
count and a sum of row hashes), writes a new part only for a month whose fingerprint changed, builds the next
catalog in a temporary file beside the published one and renames it over it. A part is never rewritten in
place (a new one gets a new name), so a connection opened before the rename keeps reading the catalog and the
parts it opened: an analyst never waits on a run and never sees half of one. Parts a publish stops using stay
on disk for `RETAIN_SUPERSEDED`, for the connections still open on an older catalog, then go.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
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
    search.INDEX_SCHEMA: ("internal", "the full-text index behind search.match, one Parquet part per month"),
}
COPIED_SCHEMAS = ("marts", "raw", "quarantine")
SEARCH_INDEX_SCHEMA = search.INDEX_SCHEMA
# How long a part no longer in the published catalog stays on disk: a connection opened on an older catalog
# reads its parts until then (a connection held open longer must reconnect).
RETAIN_SUPERSEDED = timedelta(days=1)
# the table of contents of a catalog: which part holds which month of which table, with its fingerprint
_MANIFEST = "published_parts"
# parts superseded by a publish, kept until RETAIN_SUPERSEDED has passed
_RETIRED = "published_retired"
# the table whose months the tables without a date of their own follow, and the search index's source
_ARTICLES = "marts.articles"
# a column whose content `content_hash` stands for: left out of fingerprints (the widest column by far)
_HASHED_BY_CONTENT_HASH = "body_text"
# the next catalog, attached to the warehouse's connection while it is built
_BUILD = "published_build"
# the published catalog, attached read-only to the warehouse's connection to read its manifest or compare
_CHECK = "published_now"


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What a publish wrote: the parts (table months) it wrote and the rows in them, and the parts it kept."""

    parts_written: int
    rows_written: int
    parts_kept: int
    parts_removed: int


@dataclass(frozen=True, slots=True)
class _Part:
    table: str  # schema.table, or search_index.postings / search_index.docs
    month: str
    fingerprint: str
    file_name: str
    rows: int


def parts_dir(published_path: Path) -> Path:
    """The folder beside the catalog holding its Parquet parts."""
    published_path = Path(published_path)
    return published_path.with_name(f"{published_path.stem}.parts")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(catalog: str, table: str) -> str:
    schema, name = table.split(".")
    return f"{_sql_identifier(catalog)}.{_sql_identifier(schema)}.{_sql_identifier(name)}"


def publish(
    warehouse: Path | duckdb.DuckDBPyConnection, published_path: Path, *, now: datetime | None = None
) -> PublishReport:
    """Publish the warehouse's marts, raw and quarantine tables: write the months that changed since the last
    publish as new Parquet parts, then swap in a catalog over every month's part atomically.

    `warehouse` is the warehouse file, or a connection already open on it (DuckDB refuses a second connection
    with another configuration in the same process, so a caller that holds one passes it). `now` dates the
    parts this publish supersedes (they are deleted `RETAIN_SUPERSEDED` later).
    """
    published_path = Path(published_path)
    published_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_catalogs(published_path)
    # same folder, so the rename stays within one filesystem and is atomic
    staging_path = published_path.with_name(f".{published_path.stem}-{uuid.uuid4().hex}.duckdb")
    try:
        if isinstance(warehouse, duckdb.DuckDBPyConnection):
            outcome = _build_catalog(warehouse, published_path, staging_path, now or datetime.now(UTC))
        else:
            if not Path(warehouse).is_file():
                raise FileNotFoundError(f"no warehouse to publish at {warehouse}")
            with duckdb.connect(str(warehouse)) as conn:
                outcome = _build_catalog(conn, published_path, staging_path, now or datetime.now(UTC))
        staging_path.replace(published_path)
    finally:
        staging_path.unlink(missing_ok=True)
        Path(f"{staging_path}.wal").unlink(missing_ok=True)
    parts, kept_files, written = outcome
    removed = _remove_unused_parts(parts_dir(published_path), kept_files)
    return PublishReport(
        parts_written=len(written),
        rows_written=sum(part.rows for part in written if not part.table.startswith(search.INDEX_SCHEMA)),
        parts_kept=len(parts) - len(written),
        parts_removed=removed,
    )


def _remove_abandoned_catalogs(published_path: Path) -> None:
    """Delete the half-built catalogs (and their WAL files) of publishes that were killed before their rename.
    Only one publish of a home runs at a time (the home's run lock and the `duckdb` pool), so none is live."""
    for abandoned in published_path.parent.glob(f".{published_path.stem}-*.duckdb*"):
        abandoned.unlink(missing_ok=True)


def _remove_unused_parts(directory: Path, kept_files: set[str]) -> int:
    """Delete every part that neither the published catalog nor the retention of superseded parts keeps: parts
    retired long enough, and parts a killed publish wrote and never published."""
    removed = 0
    for path in directory.glob("*/*.parquet"):
        if f"{path.parent.name}/{path.name}" not in kept_files:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _read_previous(
    conn: duckdb.DuckDBPyConnection, published_path: Path
) -> tuple[dict[tuple[str, str], _Part], list[tuple[str, datetime]]]:
    """The published catalog's parts by (table, month) and its retired parts; none when there is no catalog
    yet, or when the published file is a whole copy made before parts existed (the next publish writes all)."""
    if not published_path.is_file():
        return {}, []
    conn.execute(f"attach {_sql_string(str(published_path))} as {_CHECK} (read_only)")
    try:
        present = {
            name
            for (name,) in conn.execute(
                "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'",
                [_CHECK],
            ).fetchall()
        }
        if not {_MANIFEST, _RETIRED} <= present:
            return {}, []
        parts = {
            (table, month): _Part(table, month, fingerprint, file_name, rows)
            for table, month, fingerprint, file_name, rows in conn.execute(
                f"select table_name, month, fingerprint, file_name, row_count from {_CHECK}.main.{_MANIFEST}"
            ).fetchall()
        }
        retired = conn.execute(f"select file_name, retired_at from {_CHECK}.main.{_RETIRED}").fetchall()
        return parts, retired
    finally:
        conn.execute(f"detach {_CHECK}")


def _build_catalog(
    conn: duckdb.DuckDBPyConnection, published_path: Path, staging_path: Path, now: datetime
) -> tuple[list[_Part], set[str], list[_Part]]:
    """Write the changed months' parts and the next catalog at `staging_path`, through the warehouse's own
    connection (one DuckDB instance within one memory limit). Returns the catalog's parts, the part files to
    keep on disk, and the parts written now."""
    catalog = conn.sql("select current_database()").fetchone()[0]
    previous, previously_retired = _read_previous(conn, published_path)
    directory = parts_dir(published_path).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    conn.execute(f"attach {_sql_string(str(staging_path))} as {_BUILD}")
    try:
        # one transaction: every table is read from the same snapshot, so a run that commits meanwhile is
        # either wholly in the copy or wholly out of it
        conn.execute("begin transaction")
        try:
            writer = _PartWriter(conn, catalog, directory, previous)
            tables = _base_tables(conn, catalog)
            for table in tables:
                writer.publish_table(table, _month_source(conn, catalog, table, tables))
            if _ARTICLES in tables:
                writer.publish_search_index()
            retired = [
                (file_name, retired_at)
                for file_name, retired_at in previously_retired
                if now - retired_at < RETAIN_SUPERSEDED
            ]
            in_use = {part.file_name for part in writer.parts}
            retired += [(part.file_name, now) for part in previous.values() if part.file_name not in in_use]
            _create_views(conn, catalog, directory, writer.parts, tables)
            _write_contents(conn, writer.parts, retired)
        except BaseException:
            conn.execute("rollback")
            raise
        conn.execute("commit")
        conn.execute(f"checkpoint {_BUILD}")
    finally:
        conn.execute(f"use {_sql_identifier(catalog)}")
        conn.execute(f"detach {_BUILD}")
    kept = {part.file_name for part in writer.parts} | {file_name for file_name, _ in retired}
    return writer.parts, kept, writer.written


def _base_tables(conn: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        f"{schema}.{table}"
        for schema, table in conn.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_catalog = ? and table_type = 'BASE TABLE' and table_schema in ?
            order by table_schema, table_name
            """,
            [catalog, list(COPIED_SCHEMAS)],
        ).fetchall()
    ]


def _columns(conn: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    """The table's columns and their types, in order."""
    schema, name = table.split(".")
    return conn.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, name],
    ).fetchall()


def _month_expression(conn: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str | None:
    """The month of a row of `table` from a date of its own: its day's, else its first sighting's."""
    columns = {name for name, _ in _columns(conn, catalog, table)}
    for column in ("partition_date", "first_seen_at"):
        if column in columns:
            return f"coalesce(strftime({column}, '%Y-%m'), 'none')"
    return None


def _article_month(conn: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """The month of a row of `marts.articles`, which its images, links and revisions follow."""
    return _month_expression(conn, catalog, _ARTICLES) or "'all'"


def _month_source(conn: duckdb.DuckDBPyConnection, catalog: str, table: str, tables: Sequence[str]) -> str:
    """The table's rows with their month (`__month`): from a date of its own, else its article's (so an
    article's images, links and revisions live in its month), else one month for the whole table."""
    source = _qualified(catalog, table)
    month = _month_expression(conn, catalog, table)
    if month is not None:
        return f"(select {month} as __month, * from {source})"
    columns = {name for name, _ in _columns(conn, catalog, table)}
    if "article_id" in columns and _ARTICLES in tables:
        articles = _qualified(catalog, _ARTICLES)
        return f"""(
            select coalesce(months.month, 'none') as __month, rows.*
            from {source} as rows
            left join (select article_id, {_article_month(conn, catalog)} as month from {articles}) as months
                on months.article_id = rows.article_id
        )"""
    return f"(select 'all' as __month, * from {source})"


class _PartWriter:
    """Fingerprints each month of each table and writes a new part for each month that changed."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        catalog: str,
        directory: Path,
        previous: dict[tuple[str, str], _Part],
    ) -> None:
        self.conn, self.catalog, self.directory, self.previous = conn, catalog, directory, previous
        self.parts: list[_Part] = []
        self.written: list[_Part] = []
        self._months: dict[str, str] = {}  # the fingerprints of marts.articles' months

    def _reusable(self, table: str, month: str, fingerprint: str) -> _Part | None:
        part = self.previous.get((table, month))
        if part and part.fingerprint == fingerprint and (self.directory / part.file_name).is_file():
            return part
        return None

    def _write(self, table: str, month: str, fingerprint: str, query: str) -> _Part:
        (self.directory / table).mkdir(exist_ok=True)
        file_name = f"{table}/{month}-{uuid.uuid4().hex[:16]}.parquet"
        path = self.directory / file_name
        rows = self.conn.execute(
            f"copy ({query}) to {_sql_string(str(path))} (format parquet, compression zstd)"
        ).fetchone()[0]
        part = _Part(table, month, fingerprint, file_name, int(rows))
        self.written.append(part)
        return part

    def publish_table(self, table: str, source: str) -> None:
        columns = [name for name, _ in _columns(self.conn, self.catalog, table)]
        hashed = [
            _sql_identifier(name)
            for name in columns
            if not (name == _HASHED_BY_CONTENT_HASH and "content_hash" in columns)
        ]
        selected = ", ".join(_sql_identifier(name) for name in columns)
        fingerprints = self.conn.sql(
            f"select __month, count(*), sum(cast(hash({', '.join(hashed)}) as hugeint)) "
            f"from {source} group by __month order by __month"
        ).fetchall()
        if not fingerprints:
            # an empty table still needs a part: the view over it takes its columns from one
            fingerprints = [("empty", 0, None)]
        for month, rows, digest in fingerprints:
            fingerprint = f"{rows}:{digest}"
            if table == _ARTICLES:
                self._months[month] = fingerprint
            part = self._reusable(table, month, fingerprint) or self._write(
                table,
                month,
                fingerprint,
                f"select {selected} from {source} where __month = {_sql_string(month)}",
            )
            self.parts.append(part)

    def publish_search_index(self) -> None:
        """One month's index per month of `marts.articles`, rewritten only when that month's articles changed."""
        postings_table = f"{search.INDEX_SCHEMA}.{search.POSTINGS}"
        docs_table = f"{search.INDEX_SCHEMA}.{search.DOCS}"
        articles = _qualified(self.catalog, _ARTICLES)
        for month, fingerprint in self._months.items():
            postings = self._reusable(postings_table, month, fingerprint)
            docs = self._reusable(docs_table, month, fingerprint)
            if postings is None or docs is None:
                month_articles = (
                    f"(select * from {articles} "
                    f"where {_article_month(self.conn, self.catalog)} = {_sql_string(month)})"
                )
                postings = self._write(
                    postings_table, month, fingerprint, search.postings_sql(month_articles)
                )
                docs = self._write(
                    docs_table,
                    month,
                    fingerprint,
                    search.docs_sql(_sql_string(str(self.directory / postings.file_name))),
                )
            self.parts += [postings, docs]


def _files_sql(directory: Path, parts: Sequence[_Part]) -> str:
    return "[" + ", ".join(_sql_string(str(directory / part.file_name)) for part in parts) + "]"


def _create_views(
    conn: duckdb.DuckDBPyConnection,
    catalog: str,
    directory: Path,
    parts: Sequence[_Part],
    tables: Sequence[str],
) -> None:
    """Each table a view over its parts, with the warehouse's column types and comments; and the search."""
    by_table: dict[str, list[_Part]] = {}
    for part in parts:
        by_table.setdefault(part.table, []).append(part)
    for schema in sorted({table.split(".")[0] for table in by_table}):
        conn.execute(f"create schema {_BUILD}.{_sql_identifier(schema)}")
    for table in tables:
        columns = ", ".join(
            f"cast({_sql_identifier(name)} as {data_type}) as {_sql_identifier(name)}"
            for name, data_type in _columns(conn, catalog, table)
        )
        conn.execute(
            f"create view {_qualified(_BUILD, table)} as select {columns} "
            f"from read_parquet({_files_sql(directory, by_table[table])}, union_by_name = true)"
        )
    index_tables = [table for table in by_table if table.startswith(f"{search.INDEX_SCHEMA}.")]
    for table in index_tables:
        conn.execute(
            f"create view {_qualified(_BUILD, table)} as "
            f"select * from read_parquet({_files_sql(directory, by_table[table])})"
        )
    if index_tables:
        conn.execute(f"create schema {_BUILD}.{search.SCHEMA}")
        # a macro's tables are bound where it is created: in the catalog (`_build_catalog` switches back)
        conn.execute(f"use {_BUILD}")
        for macro in search.macros(_BUILD):
            conn.execute(macro)
    _copy_comments(conn, catalog)


def _copy_comments(conn: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """The descriptions dbt persists on the marts (`persist_docs`), so `describe`, the DuckDB CLI or DBeaver
    show them on the views of the copy too."""
    for schema, table, comment in conn.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name in ? and comment is not null",
        [catalog, list(COPIED_SCHEMAS)],
    ).fetchall():
        conn.execute(f"comment on view {_qualified(_BUILD, f'{schema}.{table}')} is {_sql_string(comment)}")
    for schema, table, column, comment in conn.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name in ? and comment is not null "
        "and (schema_name, table_name) in (select (schema_name, table_name) from duckdb_tables() "
        "where database_name = ?)",
        [catalog, list(COPIED_SCHEMAS), catalog],
    ).fetchall():
        conn.execute(
            f"comment on column {_qualified(_BUILD, f'{schema}.{table}')}.{_sql_identifier(column)} "
            f"is {_sql_string(comment)}"
        )


def _write_contents(
    conn: duckdb.DuckDBPyConnection, parts: Sequence[_Part], retired: Sequence[tuple[str, datetime]]
) -> None:
    """`published_schemas` for analysts (DuckDB has no comments on schemas), and the catalog's manifest and
    retired parts for the next publish."""
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
    conn.execute(
        f"create table {_BUILD}.main.{_MANIFEST} (table_name varchar, month varchar, fingerprint varchar, "
        "file_name varchar, row_count bigint)"
    )
    if parts:
        conn.executemany(
            f"insert into {_BUILD}.main.{_MANIFEST} values (?, ?, ?, ?, ?)",
            [(p.table, p.month, p.fingerprint, p.file_name, p.rows) for p in parts],
        )
    conn.execute(f"create table {_BUILD}.main.{_RETIRED} (file_name varchar, retired_at timestamptz)")
    if retired:
        conn.executemany(f"insert into {_BUILD}.main.{_RETIRED} values (?, ?)", list(retired))


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


def connect_published(published_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published copy read-only; search needs nothing loaded (`search.match` is plain SQL)."""
    return duckdb.connect(str(published_path), read_only=True)


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
