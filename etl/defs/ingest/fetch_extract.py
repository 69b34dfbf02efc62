"""Fetching and extraction in one step, so extraction runs on every core while the next pages download.

Data flows one way. Before anything is fetched, the plan reads the day's bodies that earlier runs fetched and
no run extracted yet (a retried step's); each body this step fetches goes to the extraction pool as soon as it
is archived. The fetch log records what the fetcher saw; extraction judges each page on the parse it makes
anyway and records its own verdict (bot wall, empty shell) in `raw.extraction_outcomes`, which the funnel
(`site_daily`, `akhbar status`) reads beside the fetch log. The plan is made once, in memory, from those two
sources (`choose_pages`): nothing this step writes is read back. The three assets keep their own keys and
lineage (`raw/pages` -> `work/extracted`), and each can be materialized alone: extraction alone, or with
`from_archive`, re-reads the archive without a request.
"""

from collections import Counter
from collections.abc import Generator, Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from etl.defs.ingest.config import IngestConfig
from etl.defs.partitions import daily_partitions, one_day_per_run, transient_retry
from etl.defs.resources import AkhbarHome, HttpClientResource, RawArchiveResource
from etl.lib.extract import (
    ExtractedFrames,
    ExtractionPool,
    PageToExtract,
    choose_pages,
    page_to_extract,
    plan_extractions,
    stored_archive_keys,
)
from etl.lib.fetch import FetchSettings, fetch_pages, plan_fetches
from etl.lib.frames import partition_day, records_frame
from etl.lib.records import FetchAttempt
from etl.lib.schema import FETCH_ATTEMPTS
from etl.lib.sites import SitesFile
from etl.lib.warehouse import load_extraction_outcomes, load_fetch_log, replace_partition

FETCH_LOG = dg.AssetKey(["raw", "fetch_log"])
PAGES = dg.AssetKey(["raw", "pages"])
EXTRACTED = dg.AssetKey(["work", "extracted"])


@dg.multi_asset(
    name="fetch_and_extract",
    specs=[
        dg.AssetSpec(
            FETCH_LOG,
            deps=[dg.AssetKey(["raw", "discovered_urls"])],
            description="One row per HTTP attempt, with its outcome class, bytes, timing and archive key.",
            kinds={"duckdb"},
            skippable=True,
        ),
        dg.AssetSpec(
            PAGES,
            deps=[dg.AssetKey(["raw", "discovered_urls"])],
            description="The latest fetch state of each URL: validators for conditional GET, body hash, archive key.",
            kinds={"duckdb"},
            skippable=True,
        ),
        dg.AssetSpec(
            EXTRACTED,
            deps=[PAGES],
            description="Articles, images and related links as printed on the day's new pages (`work.extracted_*`).",
            kinds={"python", "duckdb"},
            skippable=True,
        ),
    ],
    can_subset=True,
    group_name="ingest",
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    retry_policy=transient_retry,
    pool="duckdb",
)
def fetch_and_extract(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    akhbar: AkhbarHome,
    http: HttpClientResource,
    archive: RawArchiveResource,
    duckdb: DuckDBResource,
) -> Iterator[dg.MaterializeResult]:
    """Fetch the day's planned pages politely, every attempt logged and every body archived, and extract the
    new ones as they arrive."""
    day = partition_day(context.partition_key)
    sites = akhbar.sites()
    settings = http.settings(sites)
    selected = context.selected_asset_keys
    fetching = bool({FETCH_LOG, PAGES} & selected) and not config.from_archive
    extracting = EXTRACTED in selected
    with ExtractionPool(archive_url=archive.url, partition_date=day) as extraction:
        earlier: list[PageToExtract] = []
        if extracting:
            # read before this step writes anything: the day's bodies no run has extracted or judged yet
            with duckdb.get_connection() as conn:
                earlier = plan_extractions(
                    conn, day, sites, from_archive=config.from_archive, min_text_chars=settings.min_text_chars
                )
            for page in earlier:
                extraction.submit(page)
        fetched: list[PageToExtract] = []
        if fetching:
            fetched = yield from _fetch(
                context, sites, settings, http, archive, duckdb, extraction if extracting else None
            )
        elif {FETCH_LOG, PAGES} & selected:
            context.log.info("from_archive: no page is fetched; extraction reads the archive")
            for key in sorted({FETCH_LOG, PAGES} & selected):
                yield dg.MaterializeResult(asset_key=key, metadata={"from_archive": True, "requests": 0})
        if extracting:
            with duckdb.get_connection() as conn:
                stored = stored_archive_keys(conn, [page.archive_key for page in fetched])
            planned = choose_pages(
                [*earlier, *fetched], judged_out=extraction.page_verdicts().keys(), stored=stored
            )
            context.log.info(f"extracting {len(planned)} pages")
            yield _store_extracted(context, duckdb, extraction.frames(planned))


def _fetch(
    context: dg.AssetExecutionContext,
    sites: SitesFile,
    settings: FetchSettings,
    http: HttpClientResource,
    archive: RawArchiveResource,
    duckdb: DuckDBResource,
    extraction: ExtractionPool | None,
) -> Generator[dg.MaterializeResult, None, list[PageToExtract]]:
    """Fetch the day's pages and log every attempt as the fetcher saw it; with `extraction`, hand each new body
    to it as it arrives (it judges the page on its own parse) and return those pages."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        requests = plan_fetches(conn, day, sites)
    context.log.info(f"fetching {len(requests)} pages")
    fetched: list[PageToExtract] = []

    def on_attempt(attempt: FetchAttempt) -> None:
        if attempt.is_final and attempt.outcome not in ("ok", "not_modified"):
            context.log.warning(f"{attempt.outcome}: {attempt.url}: {attempt.error or attempt.status}")
        # a final attempt that brought a new body, as plan_extractions reads them from the fetch log
        if extraction and attempt.is_final and attempt.outcome == "ok" and not attempt.unchanged:
            page = page_to_extract(
                sites,
                attempt.final_url or attempt.url,
                attempt.url,
                attempt.site,
                attempt.archive_key,
                attempt.body_sha256,
                attempt.encoding,
                attempt.fetched_at,
                min_text_chars=settings.min_text_chars,
            )
            if page is not None and page.archive_key:
                fetched.append(page)
                extraction.submit(page)

    attempts = fetch_pages(
        requests,
        sites=sites,
        archive=archive.archive(),
        settings=settings,
        on_attempt=on_attempt,
        check_pages=extraction is None,
    )
    with duckdb.get_connection() as conn:
        load_fetch_log(conn, day, context.run.run_id, records_frame(attempts, FETCH_ATTEMPTS))
    finals = [attempt for attempt in attempts if attempt.is_final]
    # the funnel's word on each page: the fetcher's, or extraction's verdict on the body it brought (as
    # site_daily reads them); the step's summary counts it the same way
    verdicts = extraction.page_verdicts() if extraction is not None else {}
    outcomes = Counter(_page_outcome(attempt, verdicts) for attempt in finals)
    selected = context.selected_asset_keys
    if PAGES in selected:
        yield dg.MaterializeResult(asset_key=PAGES, metadata={"dagster/row_count": len(finals)})
    if FETCH_LOG in selected:
        yield dg.MaterializeResult(
            asset_key=FETCH_LOG,
            metadata={
                "dagster/row_count": len(attempts),
                "requests": len(requests),
                "fetched": outcomes["ok"],
                "not_modified": outcomes["not_modified"],
                "unchanged": sum(1 for a in finals if _page_outcome(a, verdicts) == "ok" and a.unchanged),
                "failed": sum(n for outcome, n in outcomes.items() if outcome not in ("ok", "not_modified")),
                "outcomes": dg.MetadataValue.json(dict(outcomes)),
                "bytes_received": sum(a.bytes_received for a in attempts),
            },
        )
    return fetched


def _page_outcome(attempt: FetchAttempt, verdicts: dict[str, tuple[str, str | None]]) -> str:
    if attempt.outcome == "ok" and attempt.archive_key in verdicts:
        return verdicts[attempt.archive_key][0]
    return attempt.outcome


def _store_extracted(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, frames: ExtractedFrames
) -> dg.MaterializeResult:
    day = partition_day(context.partition_key)
    failed = frames.failed
    for url, error in failed.select("url", "error").rows():
        context.log.warning(f"extraction failed: {url}: {error}")
    for archive_key, page_url, outcome, error in frames.outcomes.select(
        "archive_key", "page_url", "outcome", "error"
    ).rows():
        context.log.warning(f"{outcome}: {page_url}: {error} (body {archive_key})")
    with duckdb.get_connection() as conn:
        load_extraction_outcomes(conn, day, context.run.run_id, frames.outcomes)
        replace_partition(conn, "work.extracted_articles", day, frames.articles)
        replace_partition(conn, "work.extracted_images", day, frames.images)
        replace_partition(conn, "work.extracted_related_links", day, frames.related_links)
    ok = frames.articles.filter(pl.col("error").is_null())
    return dg.MaterializeResult(
        asset_key=EXTRACTED,
        metadata={
            "dagster/row_count": frames.articles.height,
            "extracted": ok.height,
            "failed": failed.height,
            "images": frames.images.height,
            "related_links": frames.related_links.height,
            "no_article": frames.outcomes.height,
            "preview": dg.MetadataValue.md(_preview(ok)),
        },
    )


def _preview(articles: pl.DataFrame) -> str:
    if articles.is_empty():
        return "no new article"
    head = articles.head(10).select("site", "title", "url")
    lines = ["| site | title | url |", "|---|---|---|"]
    lines += [f"| {site} | {(title or '').replace('|', '/')} | {url} |" for site, title, url in head.rows()]
    return "\n".join(lines)
