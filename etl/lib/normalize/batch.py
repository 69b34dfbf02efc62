"""Extracted rows (`EXTRACTED_*`) to normalized, comparable rows (`RAW_*`), vectorized with Polars.

Ids are sha256 hex digests, so dbt or DuckDB can recompute them (DuckDB's `sha256(url)` is an `article_id`):

* `article_id` = sha256 of the canonical URL when it is plausible for the page, else of the fetched URL
  (`etl.lib.normalize.identity`: a syndicated copy pointing at another site, pages of different content sharing one
  canonical, a canonical naming another stored article keep their own address; `identity_source` and
  `canonical_ignored_reason` say which and why);
* `image_id` = sha256 of `article_id \\n image URL`, and `link_id` = sha256 of `article_id \\n target URL`;
  the n-th repeat of one URL in one article appends `\\n n`, so the first occurrence keeps its id when a page
  adds or reorders items;
* `content_hash` = sha256 of the normalized title, body and image URLs (in position order): a change makes a
  revision;
* `near_duplicate_cluster_id` = sha256 of the body reduced to words of letters and digits (case, harakat,
  tatweel, hamza forms, punctuation and digit scripts ignored), so copies that differ only in those share it
  in any batch; copies with small edits in one batch join one cluster (etl.lib.normalize.near_duplicates, MinHash).

Nothing is dropped here: a row whose keys cannot be made (no URL) keeps null ids, and validation quarantines it.

Two rules are extraction's, which sees the markup, and are not made again here: a caption and its credit come
split (only cleaned here, and the credit mapped to its agency over the batch), and the language comes decided,
as an ISO 639-1 code (etl.lib.extract.language).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl

from etl.lib.extract import resolve_credits
from etl.lib.frames import conform
from etl.lib.normalize.bylines import parse_bylines
from etl.lib.normalize.dates import parse_datetimes
from etl.lib.normalize.identity import StoredArticles, resolve_identities
from etl.lib.normalize.near_duplicates import near_duplicate_clusters
from etl.lib.schema import (
    EXTRACTED_ARTICLES,
    EXTRACTED_IMAGES,
    EXTRACTED_RELATED_LINKS,
    RAW_ARTICLES,
    RAW_IMAGES,
    RAW_RELATED_LINKS,
    REJECTED_VALUES,
)
from etl.lib.text import clean_list, clean_optional, clean_text, comparison_words, fold_digits, word_count

# A body shorter than this (in letters and digits) is too little to call two articles the same.
NEAR_DUPLICATE_MIN_CHARS = 200
_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?([^/?#:]+)"
# The JSON of `rejected_values` (etl.lib.records.RejectedValue, one object per value set aside)
_REJECTED_VALUE_LIST = pl.List(
    pl.Struct({"field": pl.String, "value": pl.String, "source": pl.String, "rule": pl.String})
)


@dataclass
class NormalizedBatch:
    """One batch of normalized rows, each frame exactly in its `RAW_*` schema."""

    articles: pl.DataFrame  # RAW_ARTICLES
    images: pl.DataFrame  # RAW_IMAGES
    related_links: pl.DataFrame  # RAW_RELATED_LINKS
    # values extraction set aside as impossible, keyed to their article: they become field issues
    rejected_values: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECTED_VALUES))


def sha256_hex(values: pl.Series) -> pl.Series:
    """sha256 hex digest of each string's UTF-8 bytes (null stays null); equals DuckDB's `sha256(text)`.

    Polars has no cryptographic hash, and DuckDB's `sha256()` measured 25x slower than hashlib on article
    bodies, so this is the one loop over rows: a C call per value, about 1 µs per kilobyte.
    """
    digest = hashlib.sha256
    return pl.Series(
        values.name,
        [None if value is None else digest(value.encode()).hexdigest() for value in values.cast(pl.String)],
        dtype=pl.String,
    )


def _absolute_canonical(url: pl.Expr, canonical: pl.Expr) -> pl.Expr:
    """The declared canonical URL made absolute against the page's own URL, without its fragment.

    Anything that is still not an http(s) URL (`not a url`, `javascript:`) is dropped: the page's address
    then identifies the article, and the row is not lost over a broken link tag.
    """
    origin = url.str.extract(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^/?#]+)", 1)
    scheme = url.str.extract(r"^([A-Za-z][A-Za-z0-9+.\-]*):", 1)
    absolute = (
        pl.when(canonical.str.starts_with("//"))
        .then(pl.concat_str(scheme, pl.lit(":"), canonical))
        .when(canonical.str.starts_with("/"))
        .then(pl.concat_str(origin, canonical))
        .otherwise(canonical)
        .str.replace(r"#.*$", "")
    )
    return pl.when(absolute.str.contains(r"(?i)^https?://[^\s/?#@:]+")).then(absolute).alias("canonical_url")


def _articles(
    articles: pl.DataFrame, images: pl.DataFrame, related: pl.DataFrame, stored: StoredArticles | None
) -> pl.DataFrame:
    # The streaming engine cleans the bodies on every core, a batch of rows on each; the in-memory one gives a
    # column's whole chain of text passes to one thread. Half the time on two cores, the same rows.
    cleaned = (
        articles.lazy()
        .with_columns(
            clean_optional(pl.col("url")).alias("url"),
            clean_optional(pl.col("canonical_url")).alias("canonical_url"),
            clean_optional(pl.col("title")).alias("title"),
            clean_optional(pl.col("description"), multiline=True).alias("description"),
            clean_optional(pl.col("site")).alias("site"),
            clean_optional(pl.col("section")).alias("section"),
            clean_list(pl.col("authors")).alias("authors"),
            clean_list(pl.col("tags")).alias("tags"),
            clean_text(pl.col("body_text"), multiline=True).fill_null("").alias("body_text"),
            parse_datetimes(articles["published_at_raw"]).alias("published_at"),
            parse_datetimes(articles["modified_at_raw"]).alias("modified_at"),
        )
        .collect(engine="streaming")
    )
    cleaned = cleaned.with_columns(_absolute_canonical(pl.col("url"), pl.col("canonical_url")))
    children = _child_counts(cleaned, images, related)
    image_urls = (
        images.filter(pl.col("image_url").is_not_null())
        .sort("article_url", "position")
        .group_by(pl.col("article_url").alias("url"), maintain_order=True)
        .agg(clean_text(pl.col("image_url")).str.join("\n").alias("image_urls"))
    )
    cleaned = cleaned.join(children, on="url", how="left", maintain_order="left").join(
        image_urls, on="url", how="left", maintain_order="left"
    )
    keys = (
        cleaned.lazy()
        .select(
            pl.concat_str(
                pl.col("title").fill_null(""),
                pl.col("body_text"),
                pl.col("image_urls").fill_null(""),
                separator="\n",
            ).alias("content"),
            comparison_words(pl.col("body_text"), cleaned=True).alias("body_words"),
        )
        .with_columns(
            pl.when(pl.col("body_words").str.len_chars() >= NEAR_DUPLICATE_MIN_CHARS)
            .then(pl.col("body_words"))
            .alias("body_words")
        )
        .collect(engine="streaming")
    )
    cleaned = cleaned.with_columns(
        sha256_hex(keys["content"]).alias("content_hash"),
        near_duplicate_clusters(keys["body_words"], sha256_hex(keys["body_words"])).alias(
            "near_duplicate_cluster_id"
        ),
        word_count(pl.col("body_text")).alias("word_count"),
        pl.col("image_count").fill_null(0),
        pl.col("related_link_count").fill_null(0),
    )
    # identity comes last: whether pages share a canonical by mistake depends on whether their content differs
    cleaned = resolve_identities(cleaned, stored)
    cleaned = cleaned.with_columns(sha256_hex(cleaned["id_url"]).alias("article_id"))
    return conform(cleaned, RAW_ARTICLES, "normalized articles")


def _child_counts(articles: pl.DataFrame, images: pl.DataFrame, related: pl.DataFrame) -> pl.DataFrame:
    image_counts = images.group_by(pl.col("article_url").alias("url")).agg(
        pl.len().cast(pl.Int32).alias("image_count")
    )
    link_counts = related.group_by(pl.col("article_url").alias("url")).agg(
        pl.len().cast(pl.Int32).alias("related_link_count")
    )
    return (
        articles.select("url")
        .unique()
        .join(image_counts, on="url", how="left", maintain_order="left")
        .join(link_counts, on="url", how="left", maintain_order="left")
    )


def _parents(articles: pl.DataFrame) -> pl.DataFrame:
    """One parent per article URL: a URL listed twice in a batch must not double its children."""
    return articles.select("url", "article_id", "content_hash", "site").unique(
        subset="url", keep="first", maintain_order=True
    )


def _child_ids(frame: pl.DataFrame, target: str) -> pl.Series:
    """sha256 of `article_id \\n target`, plus `\\n n` for the n-th repeat of one target in one article."""
    repeat = pl.int_range(pl.len()).over("article_id", target, order_by="position")
    key = pl.concat_str(
        pl.col("article_id"),
        pl.lit("\n"),
        fold_digits(pl.col(target)),
        pl.when(repeat > 0).then(pl.lit("\n") + repeat.cast(pl.String)).otherwise(pl.lit("")),
    )
    return sha256_hex(frame.select(key.alias("key")).to_series())


def _images(images: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    joined = images.join(
        parents, left_on="article_url", right_on="url", how="left", maintain_order="left"
    ).with_columns(
        clean_optional(pl.col("caption")).alias("caption"),
        clean_optional(pl.col("credit_raw")).alias("credit_raw"),
    )
    credits = resolve_credits(joined["credit_raw"])
    frame = joined.with_columns(
        clean_optional(pl.col("image_url")).alias("image_url"),
        clean_optional(pl.col("alt_text")).alias("alt_text"),
        # a value cleaned away has no source
        pl.when(pl.col("caption").is_not_null()).then(pl.col("caption_source")).alias("caption_source"),
        pl.when(pl.col("credit_raw").is_not_null()).then(pl.col("credit_source")).alias("credit_source"),
        credits["credit"].alias("credit"),
        credits["is_archive_photo"].alias("is_archive_photo"),
        pl.col("is_lead").fill_null(False),
    )
    frame = (
        frame.with_columns(_child_ids(frame, "image_url").alias("image_id"))
        .drop("article_url")
        .rename({"image_url": "url"})
    )
    return conform(frame, RAW_IMAGES, "normalized images")


def _related_links(related: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    joined = related.join(parents, left_on="article_url", right_on="url", how="left", maintain_order="left")
    frame = joined.with_columns(
        clean_optional(pl.col("target_url")).alias("target_url"),
        clean_optional(pl.col("title")).alias("title"),
        clean_optional(pl.col("section")).alias("section"),
        clean_optional(pl.col("summary"), multiline=True).alias("summary"),
        clean_optional(pl.col("image_url")).alias("image_url"),
        clean_optional(pl.col("image_caption")).alias("image_caption"),
    ).with_columns(parse_bylines(joined["byline"]))
    frame = (
        frame.with_columns(_child_ids(frame, "target_url").alias("link_id"))
        .drop("article_url")
        .rename({"target_url": "url"})
    )
    return conform(frame, RAW_RELATED_LINKS, "normalized related links")


def _rejected_values(rejected: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    """One row per value extraction set aside, with the ids of its article; null or `[]` gives no row."""
    rows = (
        rejected.with_columns(pl.col("rejected_values").str.json_decode(_REJECTED_VALUE_LIST))
        .explode("rejected_values")
        .drop_nulls("rejected_values")
        .unnest("rejected_values")
        .join(parents, on="url", how="left", maintain_order="left")
    )
    return conform(rows, REJECTED_VALUES, "rejected values").unique(maintain_order=True)


def normalize_batch(
    articles: pl.DataFrame,
    images: pl.DataFrame,
    related: pl.DataFrame,
    stored: StoredArticles | None = None,
) -> NormalizedBatch:
    """Normalize one batch of extracted articles with their images and related links into `RAW_*` frames;
    `stored` tells which articles the warehouse already identifies by a canonical URL (see etl.lib.normalize.identity)."""

    articles = conform(articles, EXTRACTED_ARTICLES, "extracted articles")
    images = conform(images, EXTRACTED_IMAGES, "extracted images")
    related = conform(related, EXTRACTED_RELATED_LINKS, "extracted related links")
    # Children find their parent by the article URL, cleaned the same way on both sides.
    images = images.with_columns(clean_optional(pl.col("article_url")).alias("article_url"))
    related = related.with_columns(clean_optional(pl.col("article_url")).alias("article_url"))
    rejected = articles.select(
        clean_optional(pl.col("url")).alias("url"), "partition_date", "rejected_values"
    )
    normalized = _articles(articles, images, related, stored)
    parents = _parents(normalized)
    return NormalizedBatch(
        articles=normalized,
        images=_images(images, parents),
        related_links=_related_links(related, parents),
        rejected_values=_rejected_values(rejected, parents),
    )
