"""Load: the day's validated rows appended to `raw.articles`, `raw.images` and `raw.related_links`, then the day
emptied from `work.*`."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.lib.frames import partition_day
from etl.lib.warehouse import clear_work_day, load_articles, read_validated


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
    """Append the day's validated rows in one transaction; rows already loaded are left alone (idempotent).
    The day's `work.*` rows are deleted after: the hand-over is done, and work tables must not grow with history."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        frames = {name: read_validated(conn, name, day) for name in ("articles", "images", "related_links")}
        counts = load_articles(
            conn, context.run_id, frames["articles"], frames["images"], frames["related_links"]
        )
        cleared = clear_work_day(conn, day)
    context.log.info(f"emptied {day} from work.*: {cleared} rows")
    for name in ("articles", "images", "related_links"):
        yield dg.MaterializeResult(
            asset_key=["raw", name],
            metadata={"dagster/row_count": getattr(counts, name), "offered": frames[name].height},
        )
