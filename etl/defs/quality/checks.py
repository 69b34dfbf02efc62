"""Per-site health checks: a redesign that empties a field, a site gone silent (GX and dbt tests live elsewhere)."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from etl.defs.resources import AkhbarHome
from etl.lib.frames import partition_day
from etl.lib.quality import HEALTH_FIELDS, health_problems, silent_sites

HISTORY_DAYS = 14


@dg.asset_check(asset=dg.AssetKey(["work", "normalized"]), blocking=False)
def extraction_health(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """Each site's share of articles with a title, date, body, lead image, credit and related links holds up."""
    day = partition_day(context.run.tags["dagster/partition"])
    window = {"first": day - timedelta(days=HISTORY_DAYS), "day": day}
    with duckdb.get_connection() as conn:
        # each day's shares as its latest normalizing run found them, as that run's work rows said
        shares = conn.sql(
            """
            select * exclude (run_id, loaded_at) from raw.field_shares
            where partition_date between $first and $day
            qualify run_id = arg_max(run_id, loaded_at) over (partition by partition_date)
            order by site, partition_date
            """,
            params=window,
        ).pl()
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


@dg.asset_check(asset=dg.AssetKey(["raw", "discovered_urls"]), blocking=False)
def raw_discovered_urls_no_silent_site(
    context: dg.AssetCheckExecutionContext, akhbar: AkhbarHome, duckdb: DuckDBResource
) -> dg.AssetCheckResult:
    """Every site that announced pages the day before announces some today: silence means down or blocked."""
    day = partition_day(context.run.tags["dagster/partition"])
    days = {"before": day - timedelta(days=1), "day": day}
    with duckdb.get_connection() as conn:
        counts = conn.sql(
            """
            select site, count(distinct url) filter (where partition_date = $before),
                   count(distinct url) filter (where partition_date = $day)
            from raw.discovered_urls where partition_date in ($before, $day) group by site
            """,
            params=days,
        ).fetchall()
        errors = conn.sql(
            """
            select site, arg_min(source_url || ': ' || message, loaded_at)
            from raw.discovery_errors where partition_date = $day group by site
            """,
            params={"day": day},
        ).fetchall()
    silent = silent_sites(
        {site: (before, today) for site, before, today in counts},
        [site.name for site in akhbar.sites().sites],
        dict(errors),
    )
    for site in silent:
        context.log.error(str(site))
    return dg.AssetCheckResult(
        passed=not silent,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(str(site) for site in silent) or "every site that announced pages still does",
        metadata={"silent_sites": dg.MetadataValue.json([site.site for site in silent])},
    )
