"""Fetching: every planned page, politely, with one fetch-log row per attempt and bodies in the archive."""

from collections import Counter
from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from etl.defs.ingest.config import IngestConfig
from etl.defs.partitions import daily_partitions, one_day_per_run, transient_retry
from etl.defs.resources import AkhbarHome, HttpClientResource, RawArchiveResource
from etl.lib.fetch import fetch_pages
from etl.lib.frames import partition_day, records_frame
from etl.lib.planning import plan_fetches
from etl.lib.warehouse import FETCH_ATTEMPTS, load_fetch_log


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "fetch_log"],
            deps=[dg.AssetKey(["raw", "discovered_urls"])],
            description="One row per HTTP attempt, with its outcome class, bytes, timing and archive key.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["raw", "pages"],
            deps=[dg.AssetKey(["raw", "discovered_urls"])],
            description="The latest fetch state of each URL: validators for conditional GET, body hash, archive key.",
            kinds={"duckdb"},
        ),
    ],
    group_name="ingest",
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    retry_policy=transient_retry,
    pool="duckdb",
)
def pages(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    akhbar: AkhbarHome,
    http: HttpClientResource,
    archive: RawArchiveResource,
    duckdb: DuckDBResource,
) -> Iterator[dg.MaterializeResult]:
    """Fetch the day's planned pages politely; every attempt is logged, every body archived."""
    if config.from_archive:
        context.log.info("from_archive: no page is fetched; extraction reads the archive")
        yield dg.MaterializeResult(
            asset_key=["raw", "fetch_log"], metadata={"from_archive": True, "requests": 0}
        )
        yield dg.MaterializeResult(asset_key=["raw", "pages"], metadata={"from_archive": True})
        return
    day = partition_day(context.partition_key)
    sites = akhbar.sites()
    with duckdb.get_connection() as conn:
        requests = plan_fetches(conn, day, sites)
    context.log.info(f"fetching {len(requests)} pages")
    attempts = fetch_pages(requests, sites=sites, archive=archive.archive(), settings=http.settings(sites))
    for attempt in attempts:
        if attempt.is_final and attempt.outcome not in ("ok", "not_modified"):
            context.log.warning(f"{attempt.outcome}: {attempt.url}: {attempt.error or attempt.status}")
    with duckdb.get_connection() as conn:
        load_fetch_log(conn, day, context.run.run_id, records_frame(attempts, FETCH_ATTEMPTS))
    finals = [attempt for attempt in attempts if attempt.is_final]
    outcomes = Counter(attempt.outcome for attempt in finals)
    yield dg.MaterializeResult(asset_key=["raw", "pages"], metadata={"dagster/row_count": len(finals)})
    yield dg.MaterializeResult(
        asset_key=["raw", "fetch_log"],
        metadata={
            "dagster/row_count": len(attempts),
            "requests": len(requests),
            "fetched": outcomes["ok"],
            "not_modified": outcomes["not_modified"],
            "unchanged": sum(1 for a in finals if a.outcome == "ok" and a.unchanged),
            "failed": sum(n for outcome, n in outcomes.items() if outcome not in ("ok", "not_modified")),
            "outcomes": dg.MetadataValue.json(dict(outcomes)),
            "bytes_received": sum(a.bytes_received for a in attempts),
        },
    )
