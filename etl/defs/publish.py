"""Publishing: the analysts' read-only copy of the warehouse, swapped in atomically after a good run."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from etl.defs.partitions import daily_partitions, one_day_per_run, transient_retry
from etl.defs.resources import AkhbarHome
from etl.lib.warehouse import publish

MARTS = ("articles", "images", "related_links")


@dg.asset(
    key=["published"],
    deps=[dg.AssetKey(["marts", name]) for name in MARTS],
    group_name="publish",
    kinds={"duckdb"},
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    retry_policy=transient_retry,
    pool="duckdb",
)
def published(akhbar: AkhbarHome, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """A read-only snapshot for analysts (`published.duckdb`), rewriting only the months the day changed, with full-text search."""
    with duckdb.get_connection() as conn:
        # the run's own connection: DuckDB refuses a second one to the same file with another configuration
        report = publish(conn, akhbar.layout.published)
        counts = {name: conn.sql(f"select count(*) from marts.{name}").fetchone()[0] for name in MARTS}
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(akhbar.layout.published)),
            **{f"marts.{k}": v for k, v in counts.items()},
            # what the day cost: the months it changed, not the history
            "parts_written": report.parts_written,
            "parts_kept": report.parts_kept,
            "rows_written": report.rows_written,
            # what deciding cost: the rows of the months looked at again, not every row of the history
            "rows_fingerprinted": report.rows_fingerprinted,
        }
    )
