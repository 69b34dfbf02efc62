"""Which fetched pages a run extracts, decided from the warehouse's own records."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from etl.lib.extract.pages import PageToExtract
from etl.lib.sites import SitesFile


def plan_extractions(
    conn: duckdb.DuckDBPyConnection, day: date, sites: SitesFile, *, from_archive: bool = False
) -> list[PageToExtract]:
    """The day's fetched pages to extract: per URL, the day's latest final attempt that brought a new body,
    unless the article read from that body is already in the warehouse (loaded or quarantined).

    Not the latest attempt of all: a step retried, or a run re-run, after the fetch log was loaded fetches the
    day's pages again with the validators that very log stored, and its 304s (or its unchanged bodies, or a
    failure) would otherwise hide the day's bodies that no run had extracted yet. The same day run again after
    a complete run extracts nothing: every body's article is stored. With `from_archive` every page the day
    fetched successfully is extracted again from the archive, whatever is stored (a backfill after an
    extractor change).
    """
    rows = conn.execute(
        f"""
        with bodies as (
            select * from raw.fetch_log
            where partition_date = $day and is_final and outcome = 'ok' and archive_key is not null
              {"" if from_archive else "and not coalesce(unchanged, false)"}
            qualify row_number() over (partition by url order by fetched_at desc, attempt desc) = 1
        ),
        stored as (
            select archive_key from raw.articles
            union all
            select archive_key from quarantine.articles
        )
        select coalesce(final_url, url) as final_url, url, site, archive_key, body_sha256, encoding, fetched_at
        from bodies b
        {"" if from_archive else "where not exists (select 1 from stored s where s.archive_key = b.archive_key)"}
        qualify row_number() over (partition by coalesce(final_url, url) order by fetched_at desc) = 1
        order by site, final_url
        """,
        {"day": day},
    ).fetchall()
    pages = (page_to_extract(sites, *row) for row in rows)
    return [page for page in pages if page is not None]


def page_to_extract(
    sites: SitesFile,
    final_url: str,
    url: str,
    site_name: str,
    archive_key: str,
    body_sha256: str,
    encoding: str | None,
    fetched_at: datetime,
    *,
    min_text_chars: int | None = None,
) -> PageToExtract | None:
    """A fetched page with what its site says about reading it; None for a site no longer in the sites file.

    `min_text_chars` when the page is still to be judged (see `fetch_pages(check_pages=False)`).
    """
    site = next((site for site in sites.sites if site.name == site_name), None)
    if site is None:
        return None
    return PageToExtract(
        url=final_url,
        requested_url=url,
        site=site_name,
        archive_key=archive_key,
        body_sha256=body_sha256,
        fetched_at=fetched_at,
        encoding=encoding,
        language_hint=site.language,
        profile=sites.profile_for(site_name),
        min_text_chars=min_text_chars,
    )
