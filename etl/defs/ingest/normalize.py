"""Normalization: clean text, UTC dates, canonical credits, split bylines, stable ids and content hashes."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.lib.frames import partition_day
from etl.lib.normalize import normalize_batch
from etl.lib.quality import field_shares
from etl.lib.warehouse import load_field_shares, replace_partition, stored_articles_named


@dg.asset(
    key=["work", "normalized"],
    deps=[dg.AssetKey(["work", "extracted"])],
    group_name="ingest",
    kinds={"python", "polars", "duckdb"},
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    pool="duckdb",
)
def normalized(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The day's extracted records, normalized with Polars (`work.normalized_*`), and each site's field shares
    (`raw.field_shares`) for the extraction-health check."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        read = {"day": day}
        articles = conn.sql(
            "select * from work.extracted_articles where partition_date = $day and error is null", params=read
        ).pl()
        images = conn.sql(
            "select i.* from work.extracted_images i semi join work.extracted_articles a "
            "on a.url = i.article_url and a.partition_date = i.partition_date and a.error is null "
            "where i.partition_date = $day",
            params=read,
        ).pl()
        related = conn.sql(
            "select r.* from work.extracted_related_links r semi join work.extracted_articles a "
            "on a.url = r.article_url and a.partition_date = r.partition_date and a.error is null "
            "where r.partition_date = $day",
            params=read,
        ).pl()

    def stored(id_urls: pl.Series) -> pl.DataFrame:
        with duckdb.get_connection() as conn:
            return stored_articles_named(conn, id_urls)

    batch = normalize_batch(articles, images, related, stored)
    with duckdb.get_connection() as conn:
        replace_partition(conn, "work.normalized_articles", day, batch.articles)
        replace_partition(conn, "work.normalized_images", day, batch.images)
        replace_partition(conn, "work.normalized_related_links", day, batch.related_links)
        replace_partition(conn, "work.normalized_rejected_values", day, batch.rejected_values)
        # the check compares the day with the site's recent days, whose work rows are gone once loaded
        load_field_shares(
            conn, day, context.run_id, field_shares(batch.articles, batch.images, batch.related_links)
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": batch.articles.height,
            "articles": batch.articles.height,
            "images": batch.images.height,
            "related_links": batch.related_links.height,
            "rejected_values": batch.rejected_values.height,
            # a jump here is a site's template slipping (a site-root or section canonical on every article)
            "canonicals_ignored": dg.MetadataValue.json(
                dict(
                    batch.articles.drop_nulls("canonical_ignored_reason")
                    .group_by("canonical_ignored_reason")
                    .len()
                    .rows()
                )
            ),
            "languages": dg.MetadataValue.json(
                dict(batch.articles.group_by("language").len().rows()) if batch.articles.height else {}
            ),
            "credits": dg.MetadataValue.json(
                dict(batch.images.group_by("credit").len().sort("len", descending=True).head(20).rows())
                if batch.images.height
                else {}
            ),
        }
    )
