"""Extraction health per site: the asset check that catches a site redesign (GX and dbt tests live elsewhere)."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from etl.lib.frames import partition_day
from etl.lib.health import HEALTH_FIELDS, field_shares, health_problems

HISTORY_DAYS = 14


@dg.asset_check(asset=dg.AssetKey(["work", "normalized"]), blocking=False)
def extraction_health(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """Each site's share of articles with a title, date, body, lead image, credit and related links holds up."""
    day = partition_day(context.run.tags["dagster/partition"])
    window = {"first": day - timedelta(days=HISTORY_DAYS), "day": day}
    with duckdb.get_connection() as conn:
        where = "where partition_date between $first and $day"
        articles = conn.sql(f"select * from work.normalized_articles {where}", params=window).pl()
        images = conn.sql(f"select * from work.normalized_images {where}", params=window).pl()
        related = conn.sql(f"select * from work.normalized_related_links {where}", params=window).pl()
    shares = field_shares(articles, images, related)
    problems = health_problems(shares, day)
    for problem in problems:
        context.log.error(f"extraction health: {problem}")
    today = shares.filter(shares["partition_date"] == day)
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(str(p) for p in problems) or "every site's fields hold up",
        metadata={
            "problems": dg.MetadataValue.json([str(p) for p in problems]),
            "shares_today": dg.MetadataValue.json(
                {
                    row["site"]: {f: round(row[f], 3) for f in HEALTH_FIELDS}
                    for row in today.iter_rows(named=True)
                }
            ),
        },
    )
