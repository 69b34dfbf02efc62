"""Extraction: article, images and related links of every newly fetched page, from the raw archive."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from etl.defs.ingest.config import IngestConfig
from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.defs.resources import AkhbarHome, RawArchiveResource
from etl.lib.extract_pages import extract_pages
from etl.lib.frames import partition_day
from etl.lib.planning import plan_extractions
from etl.lib.warehouse import replace_partition


@dg.asset(
    key=["work", "extracted"],
    deps=[dg.AssetKey(["raw", "pages"])],
    group_name="ingest",
    kinds={"python", "duckdb"},
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    pool="duckdb",
)
def extracted(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    akhbar: AkhbarHome,
    archive: RawArchiveResource,
    duckdb: DuckDBResource,
) -> dg.MaterializeResult:
    """Articles, images and related links as printed on the day's new pages (`work.extracted_*`)."""
    day = partition_day(context.partition_key)
    sites = akhbar.sites()
    with duckdb.get_connection() as conn:
        to_extract = plan_extractions(conn, day, sites, from_archive=config.from_archive)
    context.log.info(f"extracting {len(to_extract)} pages")
    frames = extract_pages(to_extract, archive_url=archive.url, partition_date=day)
    failed = frames.failed
    for url, error in failed.select("url", "error").rows():
        context.log.warning(f"extraction failed: {url}: {error}")
    with duckdb.get_connection() as conn:
        replace_partition(conn, "work.extracted_articles", day, frames.articles)
        replace_partition(conn, "work.extracted_images", day, frames.images)
        replace_partition(conn, "work.extracted_related_links", day, frames.related_links)
    ok = frames.articles.filter(pl.col("error").is_null())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frames.articles.height,
            "extracted": ok.height,
            "failed": failed.height,
            "images": frames.images.height,
            "related_links": frames.related_links.height,
            "preview": dg.MetadataValue.md(_preview(ok)),
        }
    )


def _preview(articles: pl.DataFrame) -> str:
    if articles.is_empty():
        return "no new article"
    head = articles.head(10).select("site", "title", "url")
    lines = ["| site | title | url |", "|---|---|---|"]
    lines += [f"| {site} | {(title or '').replace('|', '/')} | {url} |" for site, title, url in head.rows()]
    return "\n".join(lines)
