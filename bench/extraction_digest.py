"""A digest of a stage's whole output on every corpus page, to prove a refactoring changed nothing.

    .venv/bin/python bench/extraction_digest.py --out /tmp/before.tsv   # on the old code
    .venv/bin/python bench/extraction_digest.py --out /tmp/after.tsv    # on the new code
    diff /tmp/before.tsv /tmp/after.tsv                                 # empty: identical output

`--stage extract` (the default) digests `extract_article`'s record of each page (every field, images and
related links included). `--stage normalize` runs the pipeline's own extraction (`extract_pages`, over an
archive of the corpus) and `normalize_batch` on all pages as one day, and digests each normalized article with
its images, related links and set-aside values. `--language-hint` gives every page a site's declared language,
as the sites file would.

Each line is a page and the SHA-256 of its output, so a diff names the pages that changed; the last line digests
them all. `fetched_at` is fixed, so the digest is stable.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.extraction import DATASETS, default_corpus, load, page_url
from etl.lib.extract import ExtractedFrames, PageToExtract, extract_article, extract_pages
from etl.lib.normalize import normalize_batch
from etl.lib.warehouse import RawArchive

FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def _sha256(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def corpus_pages(corpus: Path) -> list[tuple[str, str, bytes]]:
    """(name, url, raw bytes) of every page."""
    return [
        (f"{dataset}/{row['file']}", page_url(dataset, row), raw)
        for dataset in DATASETS
        for row, raw in load(corpus, dataset, None)
    ]


def extraction_lines(corpus: Path, language_hint: str | None) -> list[str]:
    """One line per page: the digest of `extract_article`'s record."""
    lines = []
    for name, url, raw in corpus_pages(corpus):
        record = extract_article(raw, url, fetched_at=FETCHED_AT, language_hint=language_hint)
        lines.append(f"{name}\t{_sha256(dataclasses.asdict(record))}")
    return lines


def extracted_frames(corpus: Path, language_hint: str | None) -> tuple[ExtractedFrames, dict[str, str]]:
    """Every page through the pipeline's extraction as one day's pages, and each archive key's page name."""
    with tempfile.TemporaryDirectory(prefix="akhbar-digest-") as folder:
        archive = RawArchive(folder)
        to_extract, names = [], {}
        pages = corpus_pages(corpus)
        shared = {url for url, count in Counter(url for _, url, _ in pages).items() if count > 1}
        for name, url, raw in pages:
            # Mozilla's pages share one test URL: in a batch each must be its own article
            url = f"{url}#{name}" if url in shared else url
            key = archive.put(raw)
            names[key] = name
            to_extract.append(
                PageToExtract(
                    url=url,
                    requested_url=url,
                    site=name.split("/", 1)[0],
                    archive_key=key,
                    body_sha256=key,
                    fetched_at=FETCHED_AT,
                    language_hint=language_hint,
                )
            )
        return extract_pages(to_extract, archive_url=folder, partition_date=date(2026, 1, 1)), names


def normalization_lines(corpus: Path, language_hint: str | None) -> list[str]:
    """One line per normalized article: the digest of its row with its images, related links and set-aside
    values, as `normalize_batch` makes them from the day's extracted frames."""
    frames, names = extracted_frames(corpus, language_hint)
    # what the normalize asset reads: the pages extraction read, with their children
    articles = frames.articles.filter(pl.col("error").is_null())
    readable = articles.select(pl.col("url").alias("article_url"))
    batch = normalize_batch(
        articles,
        frames.images.join(readable, on="article_url", how="semi", maintain_order="left"),
        frames.related_links.join(readable, on="article_url", how="semi", maintain_order="left"),
    )
    children = {
        table: {
            key[0]: rows.drop("article_id").rows(named=True)
            for key, rows in frame.partition_by("article_id", as_dict=True, maintain_order=True).items()
        }
        for table, frame in (
            ("images", batch.images),
            ("related_links", batch.related_links),
            ("rejected_values", batch.rejected_values),
        )
    }
    lines = []
    for article in batch.articles.rows(named=True):
        own = {table: rows.get(article["article_id"], []) for table, rows in children.items()}
        lines.append(f"{names[article['archive_key']]}\t{_sha256({'article': article, **own})}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--stage", choices=("extract", "normalize"), default="extract")
    parser.add_argument("--language-hint", default=None, help="the site's language, given to every page")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stage_lines = extraction_lines if args.stage == "extract" else normalization_lines
    lines = stage_lines(args.corpus, args.language_hint)
    overall = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    args.out.write_text("\n".join([*lines, f"ALL\t{overall}"]) + "\n", encoding="utf-8")
    print(f"{len(lines)} {'pages' if args.stage == 'extract' else 'articles'}, digest {overall}")


if __name__ == "__main__":
    main()
