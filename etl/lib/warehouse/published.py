"""The analysts' copy of the warehouse: a small read-only catalog file over immutable Parquet parts, swapped in
atomically after each good run; a day writes the parts of the months it changed, not the history.

Runs write `warehouse.duckdb`; analysts open `published.duckdb` read-only. That file holds no rows: each table of
the `marts`, `raw` and `quarantine` schemas is a view over Parquet parts in `published.parts/`, one per month of
the table (`etl.lib.warehouse.months`), with the warehouse's comments, the search macros and index of
`etl.lib.warehouse.search`, and `published_schemas`.

`publish` reads the warehouse in one transaction (one snapshot), fingerprints (row count and a sum of row hashes)
the months that rows written since the last publish can have changed, writes a new part only for a month whose
fingerprint changed, keeps the other months' parts without reading them, builds the next
catalog in a temporary file beside the published one and renames it over it. A part is never rewritten in
place (a new one gets a new name), so a connection opened before the rename keeps reading the catalog and the
parts it opened: an analyst never waits on a run and never sees half of one. Parts a publish stops using stay
on disk for `RETAIN_SUPERSEDED`, for the connections still open on an older catalog, then go.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from etl.lib.warehouse import search
from etl.lib.warehouse.load import CURRENT_PAGES
from etl.lib.warehouse.months import (
    ARTICLES,
    TableMonths,
    changed_months,
    columns,
    qualified,
    sql_identifier,
    table_months,
)

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
# the latest write stamp of each stamped table a catalog holds: the next publish looks only at rows after it
_WATERMARKS = "published_watermarks"
# a column whose content `content_hash` stands for: left out of fingerprints (the widest column by far)
_HASHED_BY_CONTENT_HASH = "body_text"
# the next catalog, attached to the warehouse's connection while it is built
_BUILD = "published_build"
# the part of a table with no rows: the view over it takes its columns from one
_EMPTY = "empty"
# the published catalog, attached read-only to the warehouse's connection to read its manifest or compare
_CHECK = "published_now"


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What a publish cost: the parts (table months) it wrote and the rows in them, the parts it kept as they
    were, and the rows it read to decide (the months it fingerprinted again, not the history)."""

    parts_written: int
    rows_written: int
    parts_kept: int
    parts_removed: int
    rows_fingerprinted: int


@dataclass(frozen=True, slots=True)
class _Part:
    table: str  # schema.table, or search_index.postings / search_index.months
    month: str
    fingerprint: str
    file_name: str
    rows: int


@dataclass(frozen=True, slots=True)
class _Previous:
    """The published catalog as the next publish reads it: its parts by (table, month), its retired parts and
    its tables' watermarks (none: the next publish fingerprints every month)."""

    parts: dict[tuple[str, str], _Part]
    retired: list[tuple[str, datetime]]
    watermarks: dict[str, datetime] | None


def parts_dir(published_path: Path) -> Path:
    """The folder beside the catalog holding its Parquet parts."""
    published_path = Path(published_path)
    return published_path.with_name(f"{published_path.stem}.parts")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(
    warehouse: Path | duckdb.DuckDBPyConnection,
    published_path: Path,
    *,
    now: datetime | None = None,
    every_month: bool = False,
) -> PublishReport:
    """Publish the warehouse's marts, raw and quarantine tables: write the months that changed since the last
    publish as new Parquet parts, then swap in a catalog over every month's part atomically.

    `warehouse` is the warehouse file, or a connection already open on it (DuckDB refuses a second connection
    with another configuration in the same process, so a caller that holds one passes it). `now` dates the
    parts this publish supersedes (they are deleted `RETAIN_SUPERSEDED` later). `every_month` fingerprints every
    month of every table instead of those rows written since the last publish can have changed: for a warehouse
    changed by other means than loads and builds (a `--full-refresh` after a model changed).
    """
    published_path = Path(published_path)
    published_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_catalogs(published_path)
    # same folder, so the rename stays within one filesystem and is atomic
    staging_path = published_path.with_name(f".{published_path.stem}-{uuid.uuid4().hex}.duckdb")
    moment = now or datetime.now(UTC)
    try:
        if isinstance(warehouse, duckdb.DuckDBPyConnection):
            writer, kept_files = _build_catalog(warehouse, published_path, staging_path, moment, every_month)
        else:
            if not Path(warehouse).is_file():
                raise FileNotFoundError(f"no warehouse to publish at {warehouse}")
            with duckdb.connect(str(warehouse)) as conn:
                writer, kept_files = _build_catalog(conn, published_path, staging_path, moment, every_month)
        staging_path.replace(published_path)
    finally:
        staging_path.unlink(missing_ok=True)
        Path(f"{staging_path}.wal").unlink(missing_ok=True)
    removed = _remove_unused_parts(parts_dir(published_path), kept_files)
    return PublishReport(
        parts_written=len(writer.written),
        rows_written=sum(
            part.rows for part in writer.written if not part.table.startswith(search.INDEX_SCHEMA)
        ),
        parts_kept=len(writer.parts) - len(writer.written),
        parts_removed=removed,
        rows_fingerprinted=writer.rows_fingerprinted,
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


def _read_previous(conn: duckdb.DuckDBPyConnection, published_path: Path) -> _Previous:
    """The published catalog's parts, retired parts and watermarks; none when there is no catalog yet, or when
    the published file is a whole copy made before parts existed (the next publish writes all)."""
    if not published_path.is_file():
        return _Previous({}, [], None)
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
            return _Previous({}, [], None)
        parts = {
            (table, month): _Part(table, month, fingerprint, file_name, rows)
            for table, month, fingerprint, file_name, rows in conn.execute(
                f"select table_name, month, fingerprint, file_name, row_count from {_CHECK}.main.{_MANIFEST}"
            ).fetchall()
        }
        retired = conn.execute(f"select file_name, retired_at from {_CHECK}.main.{_RETIRED}").fetchall()
        watermarks = (
            dict(conn.execute(f"select table_name, stamp from {_CHECK}.main.{_WATERMARKS}").fetchall())
            if _WATERMARKS in present
            else None
        )
        return _Previous(parts, retired, watermarks)
    finally:
        conn.execute(f"detach {_CHECK}")


def _build_catalog(
    conn: duckdb.DuckDBPyConnection,
    published_path: Path,
    staging_path: Path,
    now: datetime,
    every_month: bool,
) -> tuple[_PartWriter, set[str]]:
    """Write the changed months' parts and the next catalog at `staging_path`, through the warehouse's own
    connection (one DuckDB instance within one memory limit). Returns the writer (the catalog's parts, those
    written now) and the part files to keep on disk."""
    catalog = conn.sql("select current_database()").fetchone()[0]
    previous = _read_previous(conn, published_path)
    directory = parts_dir(published_path).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    conn.execute(f"attach {_sql_string(str(staging_path))} as {_BUILD}")
    try:
        # one transaction: every table is read from the same snapshot, so a run that commits meanwhile is
        # either wholly in the copy or wholly out of it
        conn.execute("begin transaction")
        try:
            tables = _base_tables(conn, catalog)
            layouts = [table_months(conn, catalog, table, tables) for table in tables]
            published_articles = {
                str(directory / part.file_name): month
                for (table, month), part in previous.parts.items()
                if table == ARTICLES and (directory / part.file_name).is_file()
            }
            # no watermarks yet (a first publish, or a catalog from before them): every month is looked at
            since = None if every_month else previous.watermarks
            changes = changed_months(conn, catalog, layouts, since, published_articles)
            changed = {} if since is None else changes.months
            writer = _PartWriter(conn, catalog, directory, previous.parts)
            published_tables = {table for table, _ in previous.parts}
            for layout in layouts:
                # a table the published catalog lacks (new since) is looked at whole
                looked_at = changed.get(layout.table) if layout.table in published_tables else None
                writer.publish_table(layout, looked_at)
            if ARTICLES in tables:
                writer.publish_search_index()
            retired = [
                (file_name, retired_at)
                for file_name, retired_at in previous.retired
                if now - retired_at < RETAIN_SUPERSEDED
            ]
            in_use = {part.file_name for part in writer.parts}
            retired += [
                (part.file_name, now) for part in previous.parts.values() if part.file_name not in in_use
            ]
            _create_views(conn, catalog, directory, writer.parts, tables)
            _write_contents(conn, writer.parts, retired, changes.watermarks)
        except BaseException:
            conn.execute("rollback")
            raise
        conn.execute("commit")
        conn.execute(f"checkpoint {_BUILD}")
    finally:
        conn.execute(f"use {sql_identifier(catalog)}")
        conn.execute(f"detach {_BUILD}")
    kept = {part.file_name for part in writer.parts} | {file_name for file_name, _ in retired}
    return writer, kept


def _base_tables(conn: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """The tables the copy holds. Not `raw.current_pages`: the newest rows of `raw.pages` (which the copy holds)
    rewritten in place by each load, it has no write stamp to publish a day of it by."""
    return [
        f"{schema}.{table}"
        for schema, table in conn.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_catalog = ? and table_type = 'BASE TABLE' and table_schema in ?
                and table_schema || '.' || table_name <> ?
            order by table_schema, table_name
            """,
            [catalog, list(COPIED_SCHEMAS), CURRENT_PAGES],
        ).fetchall()
    ]


def _months_filter(months: frozenset[str] | None) -> str:
    if months is None:
        return ""
    return f" where __month in ({', '.join(_sql_string(month) for month in sorted(months)) or 'null'})"


class _PartWriter:
    """Fingerprints the months of each table a publish looks at, writes a new part for each that changed, and
    keeps the parts of the months it did not look at."""

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
        self.rows_fingerprinted = 0
        self._articles: TableMonths | None = None
        self._article_months: dict[str, str] = {}  # the fingerprints of marts.articles' months

    def _reusable(self, table: str, month: str, fingerprint: str) -> _Part | None:
        part = self.previous.get((table, month))
        if part and part.fingerprint == fingerprint and (self.directory / part.file_name).is_file():
            return part
        return None

    def _untouched(self, table: str, looked_at: frozenset[str] | None) -> list[_Part]:
        """The previous parts of `table` in the months this publish did not look at (an empty table's
        placeholder is always looked at again)."""
        if looked_at is None:
            return []
        return [
            part
            for (name, month), part in self.previous.items()
            if name == table
            and month not in looked_at
            and month != _EMPTY
            and (self.directory / part.file_name).is_file()
        ]

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

    def publish_table(self, layout: TableMonths, looked_at: frozenset[str] | None) -> None:
        """Fingerprint the months `looked_at` of the table (None: every month) and publish each one's part."""
        table, source = layout.table, layout.source
        if table == ARTICLES:
            self._articles = layout
        names = [name for name, _ in columns(self.conn, self.catalog, table)]
        hashed = [
            sql_identifier(name)
            for name in names
            if not (name == _HASHED_BY_CONTENT_HASH and "content_hash" in names)
        ]
        selected = ", ".join(sql_identifier(name) for name in names)
        fingerprints = self.conn.sql(
            f"select __month, count(*), sum(cast(hash({', '.join(hashed)}) as hugeint)) "
            f"from {source}{_months_filter(looked_at)} group by __month order by __month"
        ).fetchall()
        self.rows_fingerprinted += sum(rows for _, rows, _ in fingerprints)
        untouched = self._untouched(table, looked_at)
        if not fingerprints and not untouched:
            # an empty table still needs a part: the view over it takes its columns from one
            fingerprints = [(_EMPTY, 0, None)]
        self.parts += untouched
        if table == ARTICLES:
            self._article_months |= {part.month: part.fingerprint for part in untouched}
        for month, rows, digest in fingerprints:
            fingerprint = f"{rows}:{digest}"
            if table == ARTICLES:
                self._article_months[month] = fingerprint
            part = self._reusable(table, month, fingerprint) or self._write(
                table,
                month,
                fingerprint,
                f"select {selected} from {source} where __month = {_sql_string(month)}",
            )
            self.parts.append(part)

    def publish_search_index(self) -> None:
        """One month's index per month of `marts.articles`, rewritten only when that month's articles changed
        (a month whose index is missing, as in a catalog from before the index's format, is written too)."""
        postings_table = f"{search.INDEX_SCHEMA}.{search.POSTINGS}"
        months_table = f"{search.INDEX_SCHEMA}.{search.MONTHS}"
        for month, fingerprint in self._article_months.items():
            postings = self._reusable(postings_table, month, fingerprint)
            counts = self._reusable(months_table, month, fingerprint)
            if postings is None or counts is None:
                month_articles = (
                    f"(select * from {self._articles.source} where __month = {_sql_string(month)})"
                )
                postings = self._write(
                    postings_table, month, fingerprint, search.postings_sql(month_articles)
                )
                counts = self._write(
                    months_table,
                    month,
                    fingerprint,
                    search.month_sql(_sql_string(str(self.directory / postings.file_name))),
                )
            self.parts += [postings, counts]


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
        conn.execute(f"create schema {_BUILD}.{sql_identifier(schema)}")
    for table in tables:
        typed = ", ".join(
            f"cast({sql_identifier(name)} as {data_type}) as {sql_identifier(name)}"
            for name, data_type in columns(conn, catalog, table)
        )
        conn.execute(
            f"create view {qualified(_BUILD, table)} as select {typed} "
            f"from read_parquet({_files_sql(directory, by_table[table])}, union_by_name = true)"
        )
    index_tables = [table for table in by_table if table.startswith(f"{search.INDEX_SCHEMA}.")]
    for table in index_tables:
        conn.execute(
            f"create view {qualified(_BUILD, table)} as "
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
        conn.execute(f"comment on view {qualified(_BUILD, f'{schema}.{table}')} is {_sql_string(comment)}")
    for schema, table, column, comment in conn.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name in ? and comment is not null "
        "and (schema_name, table_name) in (select (schema_name, table_name) from duckdb_tables() "
        "where database_name = ?)",
        [catalog, list(COPIED_SCHEMAS), catalog],
    ).fetchall():
        conn.execute(
            f"comment on column {qualified(_BUILD, f'{schema}.{table}')}.{sql_identifier(column)} "
            f"is {_sql_string(comment)}"
        )


def _write_contents(
    conn: duckdb.DuckDBPyConnection,
    parts: Sequence[_Part],
    retired: Sequence[tuple[str, datetime]],
    watermarks: Mapping[str, datetime],
) -> None:
    """`published_schemas` for analysts (DuckDB has no comments on schemas), and the catalog's manifest, retired
    parts and watermarks for the next publish."""
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
    conn.execute(f"create table {_BUILD}.main.{_WATERMARKS} (table_name varchar, stamp timestamptz)")
    if watermarks:
        conn.executemany(f"insert into {_BUILD}.main.{_WATERMARKS} values (?, ?)", list(watermarks.items()))


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
