"""Warehouse: in, validated frames; out, DuckDB's append-only raw and quarantine tables, the raw archive of page
bodies, and the analysts' read-only published copy with its Arabic full-text search.
"""

from etl.lib.warehouse.archive import RawArchive
from etl.lib.warehouse.load import (
    CONNECTION_CONFIG,
    CURRENT_PAGES,
    clear_work_day,
    ensure_schema,
    load_articles,
    load_discovered,
    load_discovery_errors,
    load_extraction_outcomes,
    load_fetch_log,
    load_field_shares,
    load_quarantine,
    read_partition,
    read_validated,
    rebuild_current_pages,
    replace_field_issues,
    replace_partition,
    stored_articles_named,
)
from etl.lib.warehouse.published import connect_published, is_current, publish

__all__ = [
    "CONNECTION_CONFIG",
    "CURRENT_PAGES",
    "RawArchive",
    "clear_work_day",
    "connect_published",
    "ensure_schema",
    "is_current",
    "load_articles",
    "load_discovered",
    "load_discovery_errors",
    "load_extraction_outcomes",
    "load_fetch_log",
    "load_field_shares",
    "load_quarantine",
    "publish",
    "read_partition",
    "read_validated",
    "rebuild_current_pages",
    "replace_field_issues",
    "replace_partition",
    "stored_articles_named",
]
