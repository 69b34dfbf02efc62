"""Run the extractor over archived pages in a process pool and shape the results as `EXTRACTED_*` frames.

Extraction is the one cost a run cannot avoid, so it uses every core; workers read bodies from the archive
themselves, so only small records cross process boundaries.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime

import polars as pl

from etl.lib.extract import extract_article
from etl.lib.frames import rows_frame
from etl.lib.schema import (
    EXTRACTED_ARTICLES,
    EXTRACTED_IMAGES,
    EXTRACTED_RELATED_LINKS,
    EXTRACTION_OUTCOMES,
)
from etl.lib.sites import SiteProfile
from etl.lib.warehouse import RawArchive

# Below this many pages a pool costs more to start than it saves.
_POOL_THRESHOLD = 8
# Pages whose rows are held as Python objects before they become columns.
_ROWS_BATCH = 256


@dataclass(frozen=True, slots=True)
class PageToExtract:
    """A fetched page waiting for extraction."""

    url: str  # final URL after redirects
    requested_url: str
    site: str
    archive_key: str
    body_sha256: str
    fetched_at: datetime
    encoding: str | None = None
    language_hint: str | None = None
    profile: SiteProfile | None = None
    # set to judge the page first (bot challenge, empty shell), on the parse extraction makes anyway
    min_text_chars: int | None = None


@dataclass
class ExtractedFrames:
    articles: pl.DataFrame  # EXTRACTED_ARTICLES
    images: pl.DataFrame  # EXTRACTED_IMAGES
    related_links: pl.DataFrame  # EXTRACTED_RELATED_LINKS
    outcomes: pl.DataFrame  # EXTRACTION_OUTCOMES: the judged pages that are no article

    @property
    def failed(self) -> pl.DataFrame:
        return self.articles.filter(pl.col("error").is_not_null())


_SHAPES = {
    "articles": (EXTRACTED_ARTICLES, "extracted articles"),
    "images": (EXTRACTED_IMAGES, "extracted images"),
    "related_links": (EXTRACTED_RELATED_LINKS, "extracted related links"),
}
# Results arrive in completion order; these make a day's frames the same from one run to the next.
_ORDER = {
    "articles": ["site", "url"],
    "images": ["article_url", "position"],
    "related_links": ["article_url", "position"],
}
# The column that names a row's page: the article's own `url`, a child row's `article_url`.
_PAGE_COLUMN = {"articles": "url", "images": "article_url", "related_links": "article_url"}

_worker_archive: RawArchive | None = None


def _init_worker(archive_url: str) -> None:
    global _worker_archive
    _worker_archive = RawArchive(archive_url)
    # The modules preloaded (trafilatura, htmldate, dateparser, lxml: most of the worker's objects) live as long
    # as the worker: frozen, a full collection no longer walks them, which cost about 0.5 ms of each page.
    gc.freeze()


# A page's rows (article, images, related links), or its verdict when it is no article (bot challenge, empty
# shell): an EXTRACTION_OUTCOMES row.
_Done = tuple[dict | None, list[dict], list[dict], dict | None]


def _extract_one(page: PageToExtract, archive: RawArchive | None = None) -> _Done:
    archive = archive or _worker_archive
    assert archive is not None
    try:
        body = archive.get(page.archive_key)
    except (OSError, ValueError) as error:
        body, read_error = b"", f"archive read failed: {error}"
    else:
        read_error = None
    article = extract_article(
        body,
        page.url,
        encoding=page.encoding,
        profile=page.profile,
        language_hint=page.language_hint,
        min_text_chars=None if read_error else page.min_text_chars,
        fetched_at=page.fetched_at,
    )
    if article.page_outcome is not None:
        verdict = {
            "archive_key": page.archive_key,
            "page_url": page.url,
            "site": page.site,
            "outcome": article.page_outcome,
            "error": article.error,
        }
        return None, [], [], verdict
    row = {
        "url": page.url,
        "requested_url": page.requested_url,
        "site": page.site,
        "fetched_at": page.fetched_at,
        "archive_key": page.archive_key,
        "body_sha256": page.body_sha256,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "description": article.description,
        "authors": article.authors,
        "published_at_raw": article.published_at,
        "modified_at_raw": article.modified_at,
        "site_name": article.site_name,
        "language": article.language,
        "section": article.section,
        "tags": article.tags,
        "body_text": article.body_text,
        "field_sources": json.dumps(article.field_sources, ensure_ascii=False, sort_keys=True),
        "rejected_values": json.dumps(
            [asdict(rejected) for rejected in article.rejected_values], ensure_ascii=False
        ),
        "error": read_error or article.error,
    }
    # the archive key tells a page's rows from those of another body of the same URL (see ExtractionPool)
    key = {"article_url": page.url, "archive_key": page.archive_key}
    images = [{**key, **_renamed(asdict(image), url="image_url")} for image in article.images]
    related = [{**key, **_renamed(asdict(link), url="target_url")} for link in article.related]
    return row, images, related, None


def _renamed(record: dict, **renames: str) -> dict:
    return {renames.get(key, key): value for key, value in record.items()}


class ExtractionPool:
    """Extract pages as they are handed in, on every core, while the caller goes on (fetching the next ones).

    `submit` hands in a page as soon as its body is archived; `frames(pages)` then returns the rows of exactly
    `pages` (the authoritative plan): a page planned but not submitted is extracted then, a page submitted but
    not planned is dropped. Pages submitted with `min_text_chars` are judged first: `page_verdicts` says which
    of them are no article, and `frames` returns those verdicts too. Finished rows become columns every `_ROWS_BATCH` pages, so memory follows
    the batch, not the day.
    """

    def __init__(self, *, archive_url: str, partition_date: date, workers: int | None = None) -> None:
        self._archive_url = archive_url
        self._partition_date = partition_date
        self._workers = workers or os.cpu_count() or 1
        self._archive = RawArchive(archive_url)  # for pages this process extracts itself
        self._pool: ProcessPoolExecutor | None = None
        self._waiting: list[PageToExtract] = []  # held until there are enough pages to pay for a pool
        # (url, archive key): a body handed in again, while fetching and then in the plan, is extracted once
        self._submitted: set[tuple[str, str]] = set()
        self._futures: list[Future] = []
        self._done: list[_Done] = []
        self._verdicts: dict[str, dict] = {}  # archive key -> EXTRACTION_OUTCOMES row
        self._done_lock = threading.Lock()
        self._batches: dict[str, list[pl.DataFrame]] = {name: [] for name in _SHAPES}

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, page: PageToExtract) -> None:
        """Start extracting `page`; a URL already submitted with the same body is not extracted again."""
        if (page.url, page.archive_key) in self._submitted:
            return
        self._submitted.add((page.url, page.archive_key))
        if self._pool is None and self._workers > 1:
            self._waiting.append(page)
            if len(self._waiting) >= _POOL_THRESHOLD:
                self._start_pool()
        elif self._pool is not None:
            self._submit_to_pool(page)
        else:
            self._done.append(_extract_one(page, self._archive))
        self._columns_from_done(full_batches_only=True)

    def page_verdicts(self) -> dict[str, tuple[str, str | None]]:
        """Archive key -> (outcome, why) of each page submitted with `min_text_chars` that is no article, once
        every submitted page is done."""
        self._finish_submitted()
        return {key: (verdict["outcome"], verdict["error"]) for key, verdict in self._verdicts.items()}

    def frames(self, pages: Sequence[PageToExtract]) -> ExtractedFrames:
        """The rows of exactly `pages`, once every one of them is extracted, with the verdicts on every page
        submitted that is no article."""
        for page in pages:
            self.submit(page)
        self._finish_submitted()
        wanted = pl.DataFrame(
            {"url": [page.url for page in pages], "archive_key": [page.archive_key for page in pages]},
            schema={"url": pl.String, "archive_key": pl.String},
        )
        frames = {}
        for name, (schema, _) in _SHAPES.items():
            frame = pl.concat(self._batches[name], rechunk=True) if self._batches[name] else None
            if frame is None:
                frames[name] = pl.DataFrame(schema=schema)
                continue
            # a page submitted while fetching but planned with another body (or not at all) is dropped
            frame = frame.join(
                wanted,
                left_on=[_PAGE_COLUMN[name], "archive_key"],
                right_on=["url", "archive_key"],
                how="semi",
                maintain_order="left",
            )
            frames[name] = frame.sort(_ORDER[name], maintain_order=True).select(schema.names())
        outcomes = rows_frame(list(self._verdicts.values()), EXTRACTION_OUTCOMES, "extraction outcomes")
        return ExtractedFrames(**frames, outcomes=outcomes.sort("archive_key"))

    def _finish_submitted(self) -> None:
        for page in self._waiting:  # too few pages for a pool: this process does them
            self._done.append(_extract_one(page, self._archive))
        self._waiting.clear()
        for future in self._futures:
            future.result()  # an exception here is a bug in the worker wrapper, never a page's fault
        self._futures.clear()
        self._columns_from_done(full_batches_only=False)

    def _start_pool(self) -> None:
        # forkserver: the pipeline process has threads, which plain fork must not copy
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["etl.lib.extract"])
        self._pool = ProcessPoolExecutor(
            self._workers, mp_context=context, initializer=_init_worker, initargs=(self._archive_url,)
        )
        waiting, self._waiting = self._waiting, []
        for page in waiting:
            self._submit_to_pool(page)

    def _submit_to_pool(self, page: PageToExtract) -> None:
        assert self._pool is not None
        future = self._pool.submit(_extract_one, page)
        future.add_done_callback(self._collect)
        self._futures.append(future)

    def _collect(self, future: Future) -> None:
        # runs on the pool's result thread: only hand the rows over, the caller makes columns of them
        if future.cancelled() or future.exception() is not None:
            return
        with self._done_lock:
            self._done.append(future.result())

    def _columns_from_done(self, *, full_batches_only: bool) -> None:
        """Rows held as Python objects cost several times their columnar size: make columns of them."""
        with self._done_lock:
            if full_batches_only and len(self._done) < _ROWS_BATCH:
                return
            done, self._done = self._done, []
        if not done:
            return
        rows: dict[str, list[dict]] = {"articles": [], "images": [], "related_links": []}
        for article, images, related, verdict in done:
            if verdict is not None:
                self._verdicts[verdict["archive_key"]] = verdict
                continue
            rows["articles"].append(article)
            rows["images"].extend(images)
            rows["related_links"].extend(related)
        for name, (schema, what) in _SHAPES.items():
            keyed = schema if "archive_key" in schema else pl.Schema({**schema, "archive_key": pl.String})
            self._batches[name].append(
                rows_frame(
                    [{**row, "partition_date": self._partition_date} for row in rows[name]], keyed, what
                )
            )


def extract_pages(
    pages: Sequence[PageToExtract], *, archive_url: str, partition_date: date, workers: int | None = None
) -> ExtractedFrames:
    """Extract every page; a page the extractor cannot read is a row with `error` set, never an exception."""
    with ExtractionPool(archive_url=archive_url, partition_date=partition_date, workers=workers) as pool:
        return pool.frames(pages)
