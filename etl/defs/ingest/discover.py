"""Discovery: the article URLs that the sites' feeds, sitemaps and URL lists announce for the day, and the
sources that could not be read."""

from collections.abc import Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from etl.defs.ingest.config import IngestConfig
from etl.defs.partitions import daily_partitions, one_day_per_run, transient_retry
from etl.defs.resources import AkhbarHome, HttpClientResource
from etl.lib.discover import discover, discovery_failed_everywhere
from etl.lib.frames import partition_day, records_frame
from etl.lib.schema import DISCOVERED_URLS, DISCOVERY_ERRORS
from etl.lib.warehouse import ensure_schema, load_discovered, load_discovery_errors

DISCOVERED = dg.AssetKey(["raw", "discovered_urls"])
DISCOVERY_FAILURES = dg.AssetKey(["raw", "discovery_errors"])


@dg.multi_asset(
    # the op keeps the name it had as a single asset: run configs and the UI's history name it
    name="raw__discovered_urls",
    specs=[
        dg.AssetSpec(
            DISCOVERED,
            description="Article URLs announced by each site's feeds, sitemaps and URL lists, one row per URL "
            "and source.",
            kinds={"python", "duckdb"},
        ),
        dg.AssetSpec(
            DISCOVERY_FAILURES,
            description="The feeds, sitemaps and homepages that could not be read, one row per source and run.",
            kinds={"duckdb"},
        ),
    ],
    group_name="ingest",
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
) -> Iterator[dg.MaterializeResult]:
    """Article URLs announced by each site's feeds, sitemaps and URL lists, and the sources that failed."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        ensure_schema(conn)
    if config.from_archive:
        context.log.info("from_archive: keeping the day's discovered URLs, no request sent")
        for key in (DISCOVERED, DISCOVERY_FAILURES):
            yield dg.MaterializeResult(asset_key=key, metadata={"from_archive": True})
        return
    sites = akhbar.sites()
    urls, errors = discover(sites, settings=http.settings(sites))
    for error in errors:
        context.log.warning(f"discovery: {error.site}: {error.source_url}: {error.message}")
    frame = records_frame(urls, DISCOVERED_URLS)
    with duckdb.get_connection() as conn:
        written = load_discovered(conn, day, context.run.run_id, frame)
        failures = load_discovery_errors(
            conn, day, context.run.run_id, records_frame(errors, DISCOVERY_ERRORS)
        )
    yield dg.MaterializeResult(asset_key=DISCOVERY_FAILURES, metadata={"dagster/row_count": failures})
    if discovery_failed_everywhere(sites, urls, errors):
        # nothing to fetch on any site: a run that went on would end green on no data
        first = errors[0]
        raise dg.Failure(
            description=f"every source of every site failed ({len(errors)} errors; first: {first.site} "
            f"{first.source_url}: {first.message})",
            allow_retries=False,
        )
    per_site = (
        frame.group_by("site").agg(pl.col("url").n_unique().alias("urls")).sort("site").rows()
        if frame.height
        else []
    )
    yield dg.MaterializeResult(
        asset_key=DISCOVERED,
        metadata={
            "dagster/row_count": written,
            "discovered": frame["url"].n_unique() if frame.height else 0,
            "source_errors": len(errors),
            "per_site": dg.MetadataValue.json(dict(per_site)),
            "errors": dg.MetadataValue.md(
                "\n".join(f"* `{e.site}` {e.source_url}: {e.message}" for e in errors[:50]) or "none"
            ),
        },
    )
