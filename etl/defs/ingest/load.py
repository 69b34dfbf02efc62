"""Load: the day's validated rows appended to `raw.articles`, `raw.images` and `raw.related_links`."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.lib.frames import partition_day
from etl.lib.warehouse import load_articles, read_partition


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", name],
            deps=[dg.AssetKey(["work", "validated"])],
            kinds={"duckdb"},
            description=f"Every revision of every {name[:-1].replace('_', ' ')} ever loaded (append-only).",
        )
        for name in ("articles", "images", "related_links")
    ],
    group_name="ingest",
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    pool="duckdb",
)
def raw_tables(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    """Append the day's validated rows in one transaction; rows already loaded are left alone (idempotent)."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        frames = {
            name: read_partition(conn, f"work.validated_{name}", day)
            for name in ("articles", "images", "related_links")
        }
        counts = load_articles(
            conn, context.run_id, frames["articles"], frames["images"], frames["related_links"]
        )
    for name in ("articles", "images", "related_links"):
        yield dg.MaterializeResult(
            asset_key=["raw", name],
            metadata={"dagster/row_count": getattr(counts, name), "offered": frames[name].height},
        )
