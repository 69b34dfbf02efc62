"""Which pages a run fetches, decided from the warehouse's own records of earlier days."""

from __future__ import annotations

from datetime import date

import duckdb

from etl.lib.records import FetchRequest
from etl.lib.sites import SitesFile


def plan_fetches(conn: duckdb.DuckDBPyConnection, day: date, sites: SitesFile) -> list[FetchRequest]:
    """The day's discovered URLs, less those fetched on an earlier day whose revisit is not yet due.

    A URL fetched before gets the stored ETag, Last-Modified and body hash, so the fetch is conditional and an
    unchanged page costs no extraction.
    """
    rows = conn.execute(
        """
        with discovered as (
            select site, url, min(source_kind) as source_kind
            from raw.discovered_urls where partition_date = $day group by site, url
        ),
        -- bodies extraction found to be no article (a bot wall, an empty shell): not a good fetch, so the
        -- page is due again and its validators are not sent
        judged_out as (
            select distinct archive_key from raw.extraction_outcomes
        ),
        last_ok as (
            select url, max(partition_date) as last_ok_day
            from raw.fetch_log f
            where is_final and outcome in ('ok', 'not_modified') and partition_date < $day
              and not exists (select 1 from judged_out j where j.archive_key = f.archive_key)
            group by url
        )
        select d.site, d.url, p.etag, p.last_modified, p.body_sha256, l.last_ok_day
        from discovered d
        left join raw.current_pages p
            on p.url = d.url and not exists (select 1 from judged_out j where j.archive_key = p.archive_key)
        left join last_ok l on l.url = d.url
        order by d.site, d.url
        """,
        {"day": day},
    ).fetchall()
    configured = {site.name: site for site in sites.sites}
    per_site: dict[str, int] = {}
    requests = []
    for site_name, url, etag, last_modified, body_sha256, last_ok_day in rows:
        site = configured.get(site_name)
        if site is None:  # a site removed from the sites file since discovery
            continue
        if last_ok_day is not None and (day - last_ok_day).days < site.revisit_after_days:
            continue
        if per_site.get(site_name, 0) >= site.max_pages:
            continue
        per_site[site_name] = per_site.get(site_name, 0) + 1
        requests.append(
            FetchRequest(
                url=url,
                site=site_name,
                etag=etag,
                last_modified=last_modified,
                previous_content_hash=body_sha256,
            )
        )
    return requests
