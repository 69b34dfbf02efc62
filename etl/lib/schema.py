"""The contract of every table Akhbar writes: its columns as Polars schemas, and the values a column may hold.

Discovery and fetching write their day logs (`DISCOVERED_URLS`, `DISCOVERY_ERRORS`, `FETCH_ATTEMPTS`, `PAGES`);
extraction writes `EXTRACTED_*` (as printed on the page) and its verdicts on pages that are no article
(`EXTRACTION_OUTCOMES`); `RAW_*` are the normalized rows that validation checks and the warehouse loads into
`raw.*`, and `FIELD_SHARES` what the extraction-health check compares day to day. The registries at the end say
which table each contract is and how it is written; the warehouse makes its DDL from them, and dbt sources and
the GX suites follow these names.

In `work.*` a column names one thing: `url` is the page an article was read from, `article_url` the article a
child row (image, related link) belongs to, `image_url` and `target_url` the child's own address. In `raw.*` and
the marts an image's or link's `url` is its own address, and `article_id` its article.
"""

from __future__ import annotations

import polars as pl

UTC_TIMESTAMP = pl.Datetime("us", "UTC")
STRINGS = pl.List(pl.String)

# Outcome classes of one fetch attempt, as stored in `raw.fetch_log.outcome`.
FETCH_OUTCOMES = (
    "ok",
    "not_modified",
    "robots_denied",
    "http_error",
    "timeout",
    "too_large",
    "not_html",
    "blocked_private",
    "connection_error",
    "decode_error",
    "too_many_redirects",
    "redirect_loop",
    "bot_challenge",
    "empty_page",
    "invalid_url",
)

# What extraction may find a fetched page to be instead of an article, as stored in
# `raw.extraction_outcomes.outcome`; the same names as the fetcher's, which judges pages the same way when it
# runs without extraction, so the funnel counts one class whichever stage judged.
PAGE_OUTCOMES = ("bot_challenge", "empty_page")

# Where an image's caption or credit was read, most trusted first: a site profile's selector, the markup
# printed with the picture (figure, caption and credit elements, the image's title), the page's structured data
# about that picture (JSON-LD ImageObject, schema.org microdata), its data-* attributes, og:image:alt.
IMAGE_TEXT_SOURCES = ("profile", "figure", "jsonld", "microdata", "data-attribute", "og:image:alt")

DISCOVERED_URLS = pl.Schema(
    {
        "url": pl.String,
        "site": pl.String,
        "source_kind": pl.String,
        "source_url": pl.String,
        "title": pl.String,
        "keywords": STRINGS,
        "published_at": UTC_TIMESTAMP,
        "lastmod": UTC_TIMESTAMP,
    }
)

# a feed, sitemap, homepage or listed URL that could not be read, as `DiscoveryError` describes it
DISCOVERY_ERRORS = pl.Schema({"site": pl.String, "source_url": pl.String, "message": pl.String})

# One HTTP attempt as the fetcher recorded it; no later stage rewrites it.
FETCH_ATTEMPTS = pl.Schema(
    {
        "url": pl.String,
        "site": pl.String,
        "final_url": pl.String,
        "outcome": pl.String,  # one of FETCH_OUTCOMES
        "content_type": pl.String,
        "encoding": pl.String,
        "archive_key": pl.String,
        "body_sha256": pl.String,
        "etag": pl.String,
        "last_modified": pl.String,
        "error": pl.String,
        "attempt": pl.Int32,
        "status": pl.Int32,
        "bytes_received": pl.Int64,
        "bytes_decoded": pl.Int64,
        "elapsed_ms": pl.Int64,
        "is_final": pl.Boolean,
        "unchanged": pl.Boolean,  # an ok body identical to the previous fetch's: nothing to extract
        "fetched_at": UTC_TIMESTAMP,
    }
)

# A page's state after one final fetch (`raw.pages`, append-only, one row per url and fetch): the validators of
# its last good fetch so far, what the next conditional GET sends. The newest row of a url is its current state
# (the warehouse's `raw.current_pages` view).
PAGES = pl.Schema(
    {
        "url": pl.String,
        "site": pl.String,
        "final_url": pl.String,
        "outcome": pl.String,  # the last final attempt's, as the fetcher saw it
        "etag": pl.String,
        "last_modified": pl.String,
        "body_sha256": pl.String,
        "archive_key": pl.String,
        "encoding": pl.String,
        "content_type": pl.String,
        "status": pl.Int32,
        "last_fetched_at": UTC_TIMESTAMP,
        "last_ok_at": UTC_TIMESTAMP,
        "first_seen_at": UTC_TIMESTAMP,
    }
)

# Extraction's verdict on a fetched body that is no article (bot challenge, empty shell), one row per body:
# the fetch log keeps what the fetcher saw, and the funnel reads the two together.
EXTRACTION_OUTCOMES = pl.Schema(
    {
        "archive_key": pl.String,  # the body judged (content-addressed: every URL that brought it)
        "page_url": pl.String,  # the page it was read as, after redirects
        "site": pl.String,
        "outcome": pl.String,  # one of PAGE_OUTCOMES
        "error": pl.String,  # one line saying why
    }
)

EXTRACTED_ARTICLES = pl.Schema(
    {
        "url": pl.String,  # the final URL after redirects, canonicalized
        "requested_url": pl.String,
        "site": pl.String,
        "partition_date": pl.Date,
        "fetched_at": UTC_TIMESTAMP,
        "archive_key": pl.String,
        "body_sha256": pl.String,  # of the raw bytes
        "canonical_url": pl.String,
        "title": pl.String,
        "description": pl.String,
        "authors": STRINGS,
        "published_at_raw": pl.String,
        "modified_at_raw": pl.String,
        "site_name": pl.String,
        "language": pl.String,
        "section": pl.String,
        "tags": STRINGS,
        "body_text": pl.String,
        "field_sources": pl.String,  # JSON object: field -> where it came from
        "rejected_values": pl.String,  # JSON array of RejectedValue objects (field, value, source, rule)
        "error": pl.String,
    }
)

EXTRACTED_IMAGES = pl.Schema(
    {
        "article_url": pl.String,  # the page the image was read from (EXTRACTED_ARTICLES.url)
        "partition_date": pl.Date,
        "position": pl.Int32,
        "image_url": pl.String,
        "alt_text": pl.String,
        "caption": pl.String,
        "credit_raw": pl.String,
        "caption_source": pl.String,  # where the caption was read (IMAGE_TEXT_SOURCES)
        "credit_source": pl.String,
        "width": pl.Int32,
        "height": pl.Int32,
        "is_lead": pl.Boolean,
    }
)

EXTRACTED_RELATED_LINKS = pl.Schema(
    {
        "article_url": pl.String,  # the page the card was read from (EXTRACTED_ARTICLES.url)
        "partition_date": pl.Date,
        "position": pl.Int32,
        "target_url": pl.String,
        "title": pl.String,
        "section": pl.String,
        "summary": pl.String,
        "image_url": pl.String,
        "image_caption": pl.String,
        "byline": pl.String,
    }
)

RAW_ARTICLES = pl.Schema(
    {
        "article_id": pl.String,
        "url": pl.String,
        "canonical_url": pl.String,
        "identity_source": pl.String,  # canonical_url | url: what article_id is the sha256 of
        "canonical_ignored_reason": pl.String,  # why a declared canonical URL does not identify the article
        "site": pl.String,
        "title": pl.String,
        "description": pl.String,
        "authors": STRINGS,
        "language": pl.String,
        "section": pl.String,
        "tags": STRINGS,
        "body_text": pl.String,
        "content_hash": pl.String,  # of the normalized body, title and images: a change makes a revision
        "near_duplicate_cluster_id": pl.String,
        "archive_key": pl.String,
        "field_sources": pl.String,
        "word_count": pl.Int32,
        "image_count": pl.Int32,
        "related_link_count": pl.Int32,
        "partition_date": pl.Date,
        "published_at": UTC_TIMESTAMP,
        "modified_at": UTC_TIMESTAMP,
        "fetched_at": UTC_TIMESTAMP,
    }
)

RAW_IMAGES = pl.Schema(
    {
        "image_id": pl.String,
        "article_id": pl.String,
        "content_hash": pl.String,  # of the article revision the image belongs to
        "url": pl.String,
        "caption": pl.String,
        "alt_text": pl.String,
        "credit_raw": pl.String,
        "credit": pl.String,  # canonical agency, or the raw text when unknown
        "caption_source": pl.String,  # where the caption was read (IMAGE_TEXT_SOURCES)
        "credit_source": pl.String,  # where the credit was read; a credit split off the caption: the caption's
        "position": pl.Int32,
        "width": pl.Int32,
        "height": pl.Int32,
        "is_lead": pl.Boolean,
        "is_archive_photo": pl.Boolean,
        "partition_date": pl.Date,
    }
)

RAW_RELATED_LINKS = pl.Schema(
    {
        "link_id": pl.String,
        "article_id": pl.String,
        "content_hash": pl.String,
        "url": pl.String,
        "title": pl.String,
        "section": pl.String,
        "summary": pl.String,
        "image_url": pl.String,
        "image_caption": pl.String,
        "byline": pl.String,  # as printed
        "byline_source": pl.String,  # the organisation or person, as printed without brackets
        "byline_kind": pl.String,  # organisation | person
        "byline_place": pl.String,
        "position": pl.Int32,
        "partition_date": pl.Date,
    }
)

# Values extraction set aside (ExtractedArticle.rejected_values), one row each, keyed to the normalized article.
REJECTED_VALUES = pl.Schema(
    {
        "article_id": pl.String,
        "content_hash": pl.String,
        "site": pl.String,
        "field": pl.String,
        "value": pl.String,  # as printed
        "source": pl.String,  # where it was printed: jsonld | opengraph | meta | ...
        "rule": pl.String,  # why extraction set it aside
        "partition_date": pl.Date,
    }
)

# One bad optional field of a row that loads without it: the value is nulled in `raw.*` and kept here.
FIELD_ISSUES = pl.Schema(
    {
        "article_id": pl.String,
        "image_id": pl.String,  # when the field is an image's
        "link_id": pl.String,  # when the field is a related link's
        "content_hash": pl.String,  # of the article revision
        "table_name": pl.String,  # articles | images | related_links
        "site": pl.String,
        "field": pl.String,
        "value": pl.String,  # as printed (extract), or as it reached validation (validate; dates in ISO 8601)
        "rule": pl.String,  # the expectation's rule, or the extraction rule that set the value aside
        "stage": pl.String,  # extract | validate
        "source": pl.String,  # where the value was printed (field_sources), when known
        "run_id": pl.String,
        "partition_date": pl.Date,
    }
)

# Per site and day, the share of the day's normalized articles that have each field: what the extraction-health
# check compares with the site's recent days, kept after the day's `work.*` rows are gone.
FIELD_SHARES = pl.Schema(
    {
        "site": pl.String,
        "articles": pl.Int32,
        "title": pl.Float64,
        "published_at": pl.Float64,
        "body": pl.Float64,
        "lead_image": pl.Float64,
        "image_credit": pl.Float64,
        "related_links": pl.Float64,
    }
)

# The normalized rows validation lets through, by their `row_number` in the day's `work.normalized_*` table,
# with the optional fields it found bad (loaded as null): the load reads the rows themselves from there.
VALIDATED_ROWS = pl.Schema(
    {
        "table_name": pl.String,  # articles | images | related_links
        "row_number": pl.Int32,
        "nulled_fields": STRINGS,
        "partition_date": pl.Date,
    }
)

# The key of a `work.normalized_*` row within its day, in the order normalization wrote the rows (the order
# validation reads them in, so a GX row position is a row number).
ROW_NUMBER = "row_number"


def _numbered(columns: pl.Schema) -> pl.Schema:
    return pl.Schema({ROW_NUMBER: pl.Int32, **columns})


# Append-only logs of what each run saw, stamped with the day and the run: name -> (contract, natural key).
DAY_LOGS: dict[str, tuple[pl.Schema, tuple[str, ...]]] = {
    "discovered_urls": (DISCOVERED_URLS, ("partition_date", "url", "source_url")),
    # each run's failures stay, so the funnel can count the day's and the operator see when they began
    "discovery_errors": (DISCOVERY_ERRORS, ("partition_date", "run_id", "site", "source_url")),
    # a later re-fetch of the same URL is a new row, re-loading the same attempts adds nothing
    "fetch_log": (FETCH_ATTEMPTS, ("url", "attempt", "fetched_at")),
    "extraction_outcomes": (EXTRACTION_OUTCOMES, ("partition_date", "archive_key")),
    # each run's shares stay; the health check reads the latest run's of each day
    "field_shares": (FIELD_SHARES, ("partition_date", "run_id", "site")),
    # a page's state after each final fetch; a row is never rewritten (see the warehouse's load_fetch_log)
    "pages": (PAGES, ("url", "last_fetched_at")),
}

# Scratch tables, the hand-over from one stage's asset to the next within a day: name -> contract. Each stage
# replaces its own day's rows; the load empties the day from all of them once its rows are in `raw.*`, so
# `work.*` holds the days in flight, never history. A day's bodies are stored as printed (for normalization)
# and normalized (for validation) until then; what validation passes is a verdict on the normalized rows, not a
# copy of them.
WORK_TABLES: dict[str, pl.Schema] = {
    "extracted_articles": EXTRACTED_ARTICLES,
    "extracted_images": EXTRACTED_IMAGES,
    "extracted_related_links": EXTRACTED_RELATED_LINKS,
    "normalized_articles": _numbered(RAW_ARTICLES),
    "normalized_images": _numbered(RAW_IMAGES),
    "normalized_related_links": _numbered(RAW_RELATED_LINKS),
    "normalized_rejected_values": REJECTED_VALUES,
    "validated_rows": VALIDATED_ROWS,
}

# Content tables and the natural key that makes their loads idempotent. An article is stored once per content
# hash per day it was extracted, so content that changes and then changes back is still seen as two changes
# (dbt folds consecutive days with one hash into one revision); images and links belong to a content hash.
CONTENT_TABLES: dict[str, tuple[pl.Schema, tuple[str, ...]]] = {
    "articles": (RAW_ARTICLES, ("article_id", "content_hash", "partition_date")),
    "images": (RAW_IMAGES, ("image_id", "content_hash")),
    "related_links": (RAW_RELATED_LINKS, ("link_id", "content_hash")),
}
