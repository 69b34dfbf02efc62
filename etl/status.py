"""`akhbar status`: what an operator wants to know without the UI (last runs, failures, freshness)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from etl.lib.home import Home

# Each page's word, as the funnel (marts.site_daily) reads it: the fetcher's, or extraction's verdict on the
# body it brought (a bot wall, an empty shell).
_PAGE_OUTCOMES = """
    page_outcomes as (
        select f.* replace (coalesce(case when f.outcome = 'ok' then j.outcome end, f.outcome) as outcome,
                            coalesce(case when f.outcome = 'ok' then j.error end, f.error) as error)
        from raw.fetch_log f
        left join (
            select archive_key, any_value(outcome) as outcome, any_value(error) as error
            from raw.extraction_outcomes group by archive_key
        ) j on j.archive_key = f.archive_key
    )"""

_QUERIES = {
    "Latest days": f"""
        with {_PAGE_OUTCOMES},
        fetches as (
            select partition_date as day, count(*) filter (where is_final) as pages,
                   count(*) filter (where is_final and outcome = 'ok') as ok,
                   count(*) filter (where is_final and outcome = 'not_modified') as not_modified,
                   count(*) filter (where is_final and outcome not in ('ok', 'not_modified')) as failed,
                   max(fetched_at) as last_fetch
            from page_outcomes group by 1
        ),
        sources as (
            select partition_date as day, count(distinct (site, source_url)) as failed_sources
            from raw.discovery_errors group by 1
        )
        select day, coalesce(failed_sources, 0) as failed_sources, coalesce(pages, 0) as pages,
               coalesce(ok, 0) as ok, coalesce(not_modified, 0) as not_modified, coalesce(failed, 0) as failed,
               last_fetch
        from fetches full join sources using (day) order by day desc limit 7""",
    "Sources that could not be read on the last day": """
        select site, source_url, any_value(message) as error
        from raw.discovery_errors
        where partition_date = (select max(partition_date) from raw.discovery_errors)
        group by 1, 2 order by 1, 2""",
    "Failures of the last day, by site and reason": f"""
        with {_PAGE_OUTCOMES}
        select site, outcome, count(*) as pages, any_value(error) as example
        from page_outcomes
        where is_final and outcome not in ('ok', 'not_modified')
          and partition_date = (select max(partition_date) from raw.fetch_log)
        group by 1, 2 order by 3 desc""",
    "Freshness of the marts": """
        select site, count(*) as articles, max(published_at) as newest_article,
               max(last_fetched_at) as last_fetched
        from marts.articles group by 1 order by 1""",
    "Quarantined rows, last 7 days": """
        select cast(quarantined_at as date) as day, count(*) as articles
        from quarantine.articles where quarantined_at > now() - interval 7 day group by 1 order by 1 desc""",
    "Field issues (loaded with the field null), last 7 days": """
        select partition_date as day, site, table_name, field, rule, count(*) as field_issues
        from quarantine.field_issues where quarantined_at > now() - interval 7 day
        group by all order by day desc, field_issues desc""",
}


def print_status(home_dir: Path) -> int:
    """Print the status tables from the warehouse, where every run records its failures even when it loads
    nothing (the published copy is refreshed only by runs that get as far as publishing); from the published
    copy while a running pipeline holds the warehouse."""
    home = Home(home_dir)
    source = _open(home)
    if source is None:
        print(f"akhbar: no warehouse in {home.root} yet: run `akhbar run` or `akhbar demo` first")
        return 1
    conn, what = source
    print(f"from {what}")
    with conn:
        for title, query in _QUERIES.items():
            print(f"\n{title}")
            try:
                conn.sql(query).show(max_width=160)
            except duckdb.Error as error:
                print(f"  (unavailable: {str(error).splitlines()[0]})")
    _print_runs(home)
    return 0


def _open(home: Home) -> tuple[duckdb.DuckDBPyConnection, str] | None:
    if home.warehouse.exists():
        try:
            return duckdb.connect(str(home.warehouse), read_only=True), f"the warehouse {home.warehouse}"
        except duckdb.IOException:
            pass  # a running pipeline holds it: DuckDB has one writer and no reader beside it in another process
    if home.published.exists():
        taken = datetime.fromtimestamp(home.published.stat().st_mtime).isoformat(timespec="seconds")
        note = f"the published copy {home.published} of {taken} (a run holds the warehouse)"
        return duckdb.connect(str(home.published), read_only=True), note
    return None


def _print_runs(home: Home) -> None:
    if not home.dagster.exists():
        return
    with dg.DagsterInstance.from_config(str(home.dagster)) as instance:
        records = instance.get_run_records(limit=5)
        print("\nLast runs")
        for record in records:
            run = record.dagster_run
            partition = run.tags.get("dagster/partition", "-")
            started = datetime.fromtimestamp(record.start_time) if record.start_time else "-"
            print(f"  {run.run_id[:8]}  {partition}  {run.status.value:<10}  started {started}")
