"""The extract stage over archived pages: the process pool gives what one process gives, in batches."""

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import demo
import etl.lib.extract.pages as extract_pages_module
from demo import expected
from etl.lib.extract.pages import ExtractionPool, PageToExtract, extract_pages
from etl.lib.schema import EXTRACTED_ARTICLES, EXTRACTED_IMAGES, EXTRACTED_RELATED_LINKS
from etl.lib.warehouse.archive import RawArchive

PAGES = Path(demo.__file__).parent
DAY = date(2024, 10, 28)


@pytest.fixture
def archived(tmp_path: Path) -> tuple[str, list[PageToExtract]]:
    archive = RawArchive(str(tmp_path / "archive"))
    pages = []
    truth = expected("http://127.0.0.1:8642")["pages"]
    for copy in range(2):  # sixteen pages: enough for the pool
        for page in truth:
            body = (PAGES / page["file"]).read_bytes().replace(b"__BASE_URL__", b"http://127.0.0.1:8642")
            key = archive.put(body)
            pages.append(
                PageToExtract(
                    url=f"{page['url']}?copy={copy}",
                    requested_url=page["url"],
                    site="aawsat",
                    archive_key=key,
                    body_sha256=key,
                    fetched_at=datetime(2024, 10, 28, tzinfo=UTC),
                    encoding=page["encoding"],
                    language_hint="ar",
                )
            )
    missing = "0" * 64
    pages.append(
        PageToExtract(
            url="http://127.0.0.1:8642/gone",
            requested_url="http://127.0.0.1:8642/gone",
            site="aawsat",
            archive_key=missing,
            body_sha256=missing,
            fetched_at=datetime(2024, 10, 28, tzinfo=UTC),
        )
    )
    return archive.root, pages


def test_pool_and_single_process_agree_and_batches_lose_nothing(archived, monkeypatch):
    archive_url, pages = archived
    monkeypatch.setattr(extract_pages_module, "_ROWS_BATCH", 5)  # several batches, one of them partial
    pooled = extract_pages(pages, archive_url=archive_url, partition_date=DAY, workers=2)
    single = extract_pages(pages, archive_url=archive_url, partition_date=DAY, workers=1)
    for frame, schema in (
        (pooled.articles, EXTRACTED_ARTICLES),
        (pooled.images, EXTRACTED_IMAGES),
        (pooled.related_links, EXTRACTED_RELATED_LINKS),
    ):
        assert frame.schema == schema
    assert pooled.articles.height == len(pages)
    assert pooled.articles.equals(single.articles)
    assert pooled.images.equals(single.images) and pooled.related_links.equals(single.related_links)
    truth = expected("http://127.0.0.1:8642")["pages"]
    assert pooled.images.height == 2 * sum(len(page["images"]) for page in truth)
    assert pooled.related_links.height == 2 * sum(len(page["related"]) for page in truth)
    assert pooled.articles["partition_date"].unique().to_list() == [DAY]


def test_a_body_missing_from_the_archive_is_a_row_with_its_reason(archived):
    archive_url, pages = archived
    frames = extract_pages(pages[-1:], archive_url=archive_url, partition_date=DAY, workers=1)
    assert frames.failed.height == 1
    assert frames.failed["error"][0].startswith("archive read failed")
    assert frames.images.is_empty() and frames.images.schema == EXTRACTED_IMAGES


def test_streamed_pages_are_reconciled_with_the_plan(archived):
    """Pages handed in while fetching: the plan decides which rows stand, whatever was submitted."""
    archive_url, pages = archived
    pages = pages[:-1]
    planned, not_planned = pages[:10], pages[10:12]
    # a URL streamed with one body but planned with another (a later attempt brought a new body)
    replaced = planned[0]
    stale = replace(replaced, archive_key=pages[1].archive_key, body_sha256=pages[1].body_sha256)
    with ExtractionPool(archive_url=archive_url, partition_date=DAY, workers=2) as pool:
        pool.submit(stale)
        for page in planned[1:5] + not_planned:
            pool.submit(page)
        frames = pool.frames(planned)  # planned[5:] were never submitted

    assert frames.articles["url"].to_list() == sorted(page.url for page in planned)
    by_url = dict(zip(frames.articles["url"], frames.articles["archive_key"], strict=True))
    assert by_url[replaced.url] == replaced.archive_key
    reference = extract_pages(planned, archive_url=archive_url, partition_date=DAY, workers=1)
    assert frames.articles.equals(reference.articles)
    assert frames.images.equals(reference.images)
    assert frames.related_links.equals(reference.related_links)


def test_pages_handed_in_unjudged_are_judged_on_the_extraction_parse(archived):
    archive_url, pages = archived
    articles = [replace(page, min_text_chars=64) for page in pages[:-1]]
    archive = RawArchive(archive_url)
    shells = {
        "empty_page": b'<html><head><script src="/app.js"></script></head><body><div id="root"></div></body></html>',
        "bot_challenge": b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>",
    }
    judged = {
        outcome: replace(articles[0], url=f"http://127.0.0.1:8642/{outcome}", archive_key=archive.put(body))
        for outcome, body in shells.items()
    }
    with ExtractionPool(archive_url=archive_url, partition_date=DAY, workers=2) as pool:
        for page in [*articles, *judged.values()]:
            pool.submit(page)
        verdicts = pool.page_verdicts()
        frames = pool.frames(articles)

    assert {key: outcome for key, (outcome, _) in verdicts.items()} == {
        page.archive_key: outcome for outcome, page in judged.items()
    }
    assert verdicts[judged["empty_page"].archive_key][1] == "only 0 characters of visible text"
    # the articles are read exactly as when nobody asked
    reference = extract_pages(pages[:-1], archive_url=archive_url, partition_date=DAY, workers=1)
    assert frames.articles.equals(reference.articles)
    assert frames.images.equals(reference.images)


def test_a_body_handed_in_again_after_another_body_of_its_url_is_extracted_once(archived):
    """The step's plan may keep a body the day's earlier run fetched after this run brought another body of the
    same URL (judged no article, or already stored): the first body's rows must not be doubled."""
    archive_url, pages = archived
    earlier = pages[0]
    later = replace(earlier, archive_key=pages[1].archive_key, body_sha256=pages[1].body_sha256)
    with ExtractionPool(archive_url=archive_url, partition_date=DAY, workers=1) as pool:
        pool.submit(earlier)
        pool.submit(later)
        frames = pool.frames([earlier])
    assert frames.articles.select("url", "archive_key").rows() == [(earlier.url, earlier.archive_key)]
