"""Which fetched pages a run extracts, decided from the warehouse's own records and the bodies the run fetched."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

import duckdb
import polars as pl

from etl.lib.extract.pages import PageToExtract
from etl.lib.sites import SitesFile


def plan_extractions(
    conn: duckdb.DuckDBPyConnection,
    day: date,
    sites: SitesFile,
    *,
    from_archive: bool = False,
    min_text_chars: int | None = None,
) -> list[PageToExtract]:
    """The day's fetched pages to extract: per URL, the day's latest final attempt that brought a new body,
    unless extraction already found that body to be no article, or the article read from it is already in the
    warehouse (loaded or quarantined).

    Not the latest attempt of all: a step retried, or a run re-run, after the fetch log was loaded fetches the
    day's pages again with the validators that very log stored, and its 304s (or its unchanged bodies, or a
    failure) would otherwise hide the day's bodies that no run had extracted yet. The same day run again after
    a complete run extracts nothing: every body's article is stored. With `from_archive` every page the day
    fetched successfully is extracted again from the archive, whatever is stored (a backfill after an
    extractor change). `min_text_chars`: extraction judges each page first (bot challenge, empty shell).
    """
    rows = conn.execute(
        f"""
        select coalesce(final_url, url) as final_url, url, site, archive_key, body_sha256, encoding, fetched_at
        from raw.fetch_log f
        where partition_date = $day and is_final and outcome = 'ok' and archive_key is not null
          {"" if from_archive else "and not coalesce(unchanged, false)"}
          and not exists (select 1 from raw.extraction_outcomes j where j.archive_key = f.archive_key)
        """,
        {"day": day},
    ).fetchall()
    pages = [page_to_extract(sites, *row, min_text_chars=min_text_chars) for row in rows]
    bodies = [page for page in pages if page is not None]
    stored = set() if from_archive else stored_archive_keys(conn, [page.archive_key for page in bodies])
    return choose_pages(bodies, judged_out=(), stored=stored)


def choose_pages(
    bodies: Iterable[PageToExtract], *, judged_out: Collection[str], stored: Collection[str]
) -> list[PageToExtract]:
    """Of the day's fetched bodies, those a run extracts: per requested URL the latest body extraction did not
    find to be no article (`judged_out` archive keys), unless its article is `stored`; then per final URL the
    latest, ordered by site and URL."""
    latest_requested: dict[str, PageToExtract] = {}
    for page in bodies:
        if page.archive_key in judged_out:
            continue
        kept = latest_requested.get(page.requested_url)
        if kept is None or page.fetched_at > kept.fetched_at:
            latest_requested[page.requested_url] = page
    latest_final: dict[str, PageToExtract] = {}
    for page in latest_requested.values():
        if page.archive_key in stored:
            continue
        kept = latest_final.get(page.url)
        if kept is None or page.fetched_at > kept.fetched_at:
            latest_final[page.url] = page
    return sorted(latest_final.values(), key=lambda page: (page.site, page.url))


def stored_archive_keys(conn: duckdb.DuckDBPyConnection, archive_keys: list[str]) -> set[str]:
    """The archive keys among `archive_keys` whose article is in the warehouse, loaded or quarantined."""
    wanted = pl.DataFrame({"archive_key": archive_keys}, schema={"archive_key": pl.String})
    conn.register("wanted_archive_keys", wanted.to_arrow())
    try:
        rows = conn.execute(
            """
            select distinct w.archive_key from wanted_archive_keys w
            where exists (select 1 from raw.articles a where a.archive_key = w.archive_key)
               or exists (select 1 from quarantine.articles q where q.archive_key = w.archive_key)
            """
        ).fetchall()
    finally:
        conn.unregister("wanted_archive_keys")
    return {key for (key,) in rows}


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

    With `min_text_chars` extraction judges the page first (bot challenge, empty shell) on its own parse.
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
