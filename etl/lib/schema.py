"""Column contracts of the tables that stages write, as Polars schemas.

`EXTRACTED_*` are what the extract stage writes (as printed on the page); `RAW_*` are the normalized rows that
validation checks and the warehouse loads into `raw.*`. dbt sources and the GX suites follow these names.
"""

from __future__ import annotations

import polars as pl

UTC_TIMESTAMP = pl.Datetime("us", "UTC")
STRINGS = pl.List(pl.String)

EXTRACTED_ARTICLES = pl.Schema(
    {
        "url": pl.String,  # the final URL after redirects, canonicalized
        "requested_url": pl.String,
        "site": pl.String,
        "partition_date": pl.Date,
        "fetched_at": UTC_TIMESTAMP,
        "archive_key": pl.String,
        "body_sha256": pl.String,  # of the raw bytes
        "language_hint": pl.String,  # from the sites file
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
        "url": pl.String,  # of the article
        "partition_date": pl.Date,
        "position": pl.Int32,
        "image_url": pl.String,
        "alt_text": pl.String,
        "caption": pl.String,
        "credit_raw": pl.String,
        "caption_source": pl.String,  # where the caption was read (records.IMAGE_TEXT_SOURCES)
        "credit_source": pl.String,
        "width": pl.Int32,
        "height": pl.Int32,
        "is_lead": pl.Boolean,
    }
)

EXTRACTED_RELATED_LINKS = pl.Schema(
    {
        "url": pl.String,  # of the article
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
        "caption_source": pl.String,  # where the caption was read (records.IMAGE_TEXT_SOURCES)
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
