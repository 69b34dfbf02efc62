"""Which URL identifies each article of a batch, and why a declared canonical URL was not the one.

An article is identified by the canonical URL its page declares when that URL is plausible for it, else by the
URL it was fetched from (`article_id` is the sha256 of the one chosen). Extraction has already set aside the
canonicals that cannot name one article, a site root or a listing page (`etl.lib.extract.canonical`; the value
is kept in `rejected_values`). What is left is decided here, where the whole batch and the warehouse are in view:

* a canonical on another site (a syndicated copy naming its original) does not identify this copy;
* a canonical that pages of different content share in the batch identifies none of them, bar the page fetched
  from that very URL: a template that prints one address on every article cannot merge them;
* a canonical that already identifies a different article in the warehouse (fetched from another URL, under
  another title, with other text) does not identify this page.

Pages of the same content under one canonical, the same article reached as `?utm_source=…` and `?ref=…` or an
AMP copy naming the regular page, keep it, and so share one id. "The same content" is one near-duplicate
cluster (or, for a body too short to cluster, the same title and body).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from etl.lib.text import fold_digits

# `identity_source`: which URL the article_id is the sha256 of.
BY_CANONICAL_URL = "canonical_url"
BY_URL = "url"
# `canonical_ignored_reason` values decided here; extraction's rules add their own (canonical_is_site_root, ...).
ON_OTHER_SITE = "canonical_on_other_site"
SHARED_BY_DIFFERENT_ARTICLES = "canonical_shared_by_different_articles"
NAMES_ANOTHER_STORED_ARTICLE = "canonical_names_another_stored_article"

# Given canonical URLs (as `id_url` keys), the warehouse's rows of the articles they already identify: columns
# id_url, url, title, near_duplicate_cluster_id.
StoredArticles = Callable[[pl.Series], pl.DataFrame]

_REJECTED_VALUES = pl.List(
    pl.Struct({"field": pl.String, "value": pl.String, "source": pl.String, "rule": pl.String})
)
_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?([^/?#:]+)"


def resolve_identities(articles: pl.DataFrame, stored: StoredArticles | None = None) -> pl.DataFrame:
    """Add `id_url`, `identity_source` and `canonical_ignored_reason` to a batch of articles.

    `articles` holds `url`, `canonical_url` (absolute, or null), `rejected_values` (extraction's JSON),
    `title`, `body_text` and `near_duplicate_cluster_id`; `stored` looks up what the warehouse holds.
    """
    url_host, canonical_host = _host(pl.col("url")), _host(pl.col("canonical_url"))
    same_site = (
        (canonical_host == url_host)
        | canonical_host.str.ends_with(pl.lit(".") + url_host)
        | url_host.str.ends_with(pl.lit(".") + canonical_host)
    ).fill_null(False)
    frame = articles.with_columns(
        _extraction_reason().alias("_extraction_reason"),
        pl.when(pl.col("canonical_url").is_not_null() & ~same_site)
        .then(pl.lit(ON_OTHER_SITE))
        .alias("_site_reason"),
        fold_digits(pl.col("url")).alias("_own_url"),
        fold_digits(pl.when(same_site).then(pl.col("canonical_url"))).alias("_candidate"),
        # not the content hash: it counts the images too, which a copy under another URL may lazy-load apart
        pl.coalesce(
            "near_duplicate_cluster_id",
            pl.concat_str(pl.col("title").fill_null(""), pl.col("body_text"), separator="\n"),
        ).alias("_content"),
    )
    # Pages of different content naming one canonical: it identifies none of them but the page at that URL.
    shared = (
        pl.col("_candidate").is_not_null()
        & (pl.col("_content").n_unique().over("_candidate") > 1)
        & (pl.col("_own_url") != pl.col("_candidate"))
    )
    frame = frame.with_columns(
        pl.when(shared).then(pl.lit(SHARED_BY_DIFFERENT_ARTICLES)).alias("_batch_reason")
    )
    frame = frame.with_columns(_stored_conflicts(frame, stored))
    reason = pl.coalesce("_extraction_reason", "_site_reason", "_batch_reason", "_stored_reason")
    trusted = pl.col("_candidate").is_not_null() & reason.is_null()
    return frame.with_columns(
        pl.when(trusted).then(pl.col("_candidate")).otherwise(pl.col("_own_url")).alias("id_url"),
        pl.when(trusted).then(pl.lit(BY_CANONICAL_URL)).otherwise(pl.lit(BY_URL)).alias("identity_source"),
        reason.alias("canonical_ignored_reason"),
    ).drop(
        "_extraction_reason",
        "_site_reason",
        "_own_url",
        "_candidate",
        "_content",
        "_batch_reason",
        "_stored_reason",
    )


def _host(expr: pl.Expr) -> pl.Expr:
    return expr.str.extract(_HOST, 1).str.to_lowercase().str.replace(r"^www\.", "")


def _extraction_reason() -> pl.Expr:
    """The rule extraction set the page's canonical aside by, when no plausible one was left."""
    rules = (
        pl.col("rejected_values")
        .str.json_decode(_REJECTED_VALUES)
        .list.eval(pl.element().filter(pl.element().struct.field("field") == "canonical_url"))
        .list.first()
        .struct.field("rule")
    )
    return pl.when(pl.col("canonical_url").is_null()).then(rules)


def _stored_conflicts(frame: pl.DataFrame, stored: StoredArticles | None) -> pl.Series:
    """Per row, NAMES_ANOTHER_STORED_ARTICLE when its canonical already identifies a stored article that shares
    neither its fetched URL, nor its title, nor its text; else null."""
    reasons = pl.Series("_stored_reason", [None] * frame.height, dtype=pl.String)
    asking = frame.with_row_index("_row").filter(
        pl.col("_candidate").is_not_null() & pl.col("_batch_reason").is_null()
    )
    if stored is None or asking.is_empty():
        return reasons
    found = stored(asking.get_column("_candidate").unique())
    if found.is_empty():
        return reasons
    found = found.select(
        pl.col("id_url").alias("_candidate"),
        pl.col("url").alias("_stored_url"),
        pl.col("title").alias("_stored_title"),
        pl.col("near_duplicate_cluster_id").alias("_stored_cluster"),
    )
    same_article = (
        (pl.col("_stored_url") == pl.col("url"))
        | (pl.col("_stored_title") == pl.col("title"))
        | (pl.col("_stored_cluster") == pl.col("near_duplicate_cluster_id"))
    ).fill_null(False)
    conflicting = (
        asking.join(found, on="_candidate", how="inner")
        .group_by("_row")
        .agg(same_article.any().alias("_same"))
        .filter(~pl.col("_same"))
        .get_column("_row")
    )
    return reasons.scatter(conflicting, NAMES_ANOTHER_STORED_ARTICLE) if len(conflicting) else reasons
