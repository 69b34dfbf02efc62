"""Discovery: the article URLs that the sites' feeds, sitemaps and URL lists announce for the day."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from etl.defs.ingest.config import IngestConfig
from etl.defs.partitions import daily_partitions, one_day_per_run, transient_retry
from etl.defs.resources import AkhbarHome, HttpClientResource
from etl.lib.discover import discover
from etl.lib.frames import partition_day, records_frame
from etl.lib.warehouse import DISCOVERED_URLS, ensure_schema, load_discovered


@dg.asset(
    key=["raw", "discovered_urls"],
    group_name="ingest",
    kinds={"python", "duckdb"},
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    retry_policy=transient_retry,
    pool="duckdb",
)
def discovered_urls(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    akhbar: AkhbarHome,
    http: HttpClientResource,
    duckdb: DuckDBResource,
) -> dg.MaterializeResult:
    """Article URLs announced by each site's feeds, sitemaps and URL lists, one row per URL and source."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
    if config.from_archive:
        context.log.info("from_archive: keeping the day's discovered URLs, no request sent")
        return dg.MaterializeResult(metadata={"from_archive": True})
    sites = akhbar.sites()
    urls, errors = discover(sites, settings=http.settings(sites))
    for error in errors:
        context.log.warning(f"discovery: {error.site}: {error.source_url}: {error.message}")
    frame = records_frame(urls, DISCOVERED_URLS)
    with duckdb.get_connection() as conn:
        written = load_discovered(conn, day, context.run.run_id, frame)
    per_site = (
        frame.group_by("site").agg(pl.col("url").n_unique().alias("urls")).sort("site").rows()
        if frame.height
        else []
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written,
            "discovered": frame["url"].n_unique() if frame.height else 0,
            "source_errors": len(errors),
            "per_site": dg.MetadataValue.json(dict(per_site)),
            "errors": dg.MetadataValue.md(
                "\n".join(f"* `{e.site}` {e.source_url}: {e.message}" for e in errors[:50]) or "none"
            ),
        }
    )
