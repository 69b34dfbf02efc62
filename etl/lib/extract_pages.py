"""Run the extractor over archived pages in a process pool and shape the results as `EXTRACTED_*` frames.

Extraction is the one cost a run cannot avoid, so it uses every core; workers read bodies from the archive
themselves, so only small records cross process boundaries.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime

import polars as pl

from etl.lib.archive import RawArchive
from etl.lib.extract import extract_article
from etl.lib.frames import rows_frame
from etl.lib.schema import EXTRACTED_ARTICLES, EXTRACTED_IMAGES, EXTRACTED_RELATED_LINKS
from etl.lib.sites import SiteProfile

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


@dataclass
class ExtractedFrames:
    articles: pl.DataFrame  # EXTRACTED_ARTICLES
    images: pl.DataFrame  # EXTRACTED_IMAGES
    related_links: pl.DataFrame  # EXTRACTED_RELATED_LINKS

    @property
    def failed(self) -> pl.DataFrame:
        return self.articles.filter(pl.col("error").is_not_null())


_worker_archive: RawArchive | None = None


def _init_worker(archive_url: str) -> None:
    global _worker_archive
    _worker_archive = RawArchive(archive_url)


def _extract_one(
    page: PageToExtract, archive: RawArchive | None = None
) -> tuple[dict, list[dict], list[dict]]:
    archive = archive or _worker_archive
    assert archive is not None
    try:
        body = archive.get(page.archive_key)
    except (OSError, ValueError) as error:
        body, read_error = b"", f"archive read failed: {error}"
    else:
        read_error = None
    article = extract_article(
        body, page.url, encoding=page.encoding, profile=page.profile, language_hint=page.language_hint
    )
    row = {
        "url": page.url,
        "requested_url": page.requested_url,
        "site": page.site,
        "fetched_at": page.fetched_at,
        "archive_key": page.archive_key,
        "body_sha256": page.body_sha256,
        "language_hint": page.language_hint,
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
        "error": read_error or article.error,
    }
    images = [{"url": page.url, **_renamed(asdict(image), url="image_url")} for image in article.images]
    related = [{"url": page.url, **_renamed(asdict(link), url="target_url")} for link in article.related]
    return row, images, related


def _renamed(record: dict, **renames: str) -> dict:
    return {renames.get(key, key): value for key, value in record.items()}


def _results(pages: Sequence[PageToExtract], archive_url: str, workers: int) -> Iterator[tuple]:
    if workers <= 1 or len(pages) < _POOL_THRESHOLD:
        archive = RawArchive(archive_url)
        for page in pages:
            yield _extract_one(page, archive)
        return
    # forkserver: the pipeline process has threads, which plain fork must not copy
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["etl.lib.extract"])
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(archive_url,)
    ) as pool:
        yield from pool.map(_extract_one, pages, chunksize=max(1, min(32, len(pages) // (workers * 4))))


def extract_pages(
    pages: Sequence[PageToExtract], *, archive_url: str, partition_date: date, workers: int | None = None
) -> ExtractedFrames:
    """Extract every page; a page the extractor cannot read is a row with `error` set, never an exception."""
    workers = workers or os.cpu_count() or 1
    shapes = {
        "articles": (EXTRACTED_ARTICLES, "extracted articles"),
        "images": (EXTRACTED_IMAGES, "extracted images"),
        "related_links": (EXTRACTED_RELATED_LINKS, "extracted related links"),
    }
    frames: dict[str, list[pl.DataFrame]] = {name: [] for name in shapes}
    rows: dict[str, list[dict]] = {name: [] for name in shapes}

    def columns_from_rows() -> None:
        # rows held as Python objects cost several times their columnar size: convert every batch
        for name, (schema, what) in shapes.items():
            frames[name].append(
                rows_frame([{**row, "partition_date": partition_date} for row in rows[name]], schema, what)
            )
            rows[name].clear()

    for done, (article, images, related) in enumerate(_results(pages, archive_url, workers), start=1):
        rows["articles"].append(article)
        rows["images"].extend(images)
        rows["related_links"].extend(related)
        if done % _ROWS_BATCH == 0:
            columns_from_rows()
    columns_from_rows()
    return ExtractedFrames(**{name: pl.concat(parts, rechunk=True) for name, parts in frames.items()})
