"""Extraction health: per site, the share of articles with each field, compared with the site's recent days.

A site redesign rarely breaks a page outright; it empties a field on every page. Comparing each field's fill
rate with the same site's recent days turns that silent loss into a failing check that names site and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

# field -> how the share is computed from per-article columns
HEALTH_FIELDS = ("title", "published_at", "body", "lead_image", "image_credit", "related_links")
# a field fails when its share falls below this fraction of the site's recent median share ...
RELATIVE_FLOOR = 0.5
# ... or, for a site with no history yet, below these absolute shares
ABSOLUTE_FLOORS = {"title": 0.9, "body": 0.9}
MIN_BODY_CHARS = 200


@dataclass(frozen=True)
class HealthProblem:
    site: str
    field: str
    share: float
    baseline: float | None

    def __str__(self) -> str:
        against = f"recent median {self.baseline:.0%}" if self.baseline is not None else "an absolute floor"
        return f"site {self.site}: {self.field} present on {self.share:.0%} of articles (vs {against})"


def field_shares(articles: pl.DataFrame, images: pl.DataFrame, related: pl.DataFrame) -> pl.DataFrame:
    """Per site and partition, the share of articles that have each field (`RAW_*` shaped inputs)."""
    if articles.is_empty():
        return pl.DataFrame(
            schema={"site": pl.String, "partition_date": pl.Date, "articles": pl.UInt32}
            | dict.fromkeys(HEALTH_FIELDS, pl.Float64)
        )
    # an article recurs on later days with the same id: its images and links count on their own day only
    day_key = ["article_id", "partition_date"]
    per_article_images = images.group_by(day_key).agg(
        pl.col("is_lead").any().alias("has_lead_image"),
        pl.col("credit_raw").is_not_null().any().alias("has_credit"),
    )
    per_article_links = related.group_by(day_key).agg(pl.len().alias("links"))
    return (
        articles.join(per_article_images, on=day_key, how="left")
        .join(per_article_links, on=day_key, how="left")
        .group_by("site", "partition_date")
        .agg(
            pl.len().alias("articles"),
            (pl.col("title").str.len_chars().fill_null(0) > 0).mean().alias("title"),
            pl.col("published_at").is_not_null().mean().alias("published_at"),
            (pl.col("body_text").str.len_chars().fill_null(0) >= MIN_BODY_CHARS).mean().alias("body"),
            pl.col("has_lead_image").fill_null(False).mean().alias("lead_image"),
            pl.col("has_credit").fill_null(False).mean().alias("image_credit"),
            (pl.col("links").fill_null(0) > 0).mean().alias("related_links"),
        )
        .sort("site", "partition_date")
    )


def health_problems(shares: pl.DataFrame, day: date) -> list[HealthProblem]:
    """The fields whose share on `day` fell below the site's recent median (or an absolute floor)."""
    problems = []
    today = shares.filter(pl.col("partition_date") == day)
    history = shares.filter(pl.col("partition_date") < day)
    for row in today.iter_rows(named=True):
        past = history.filter(pl.col("site") == row["site"])
        for field in HEALTH_FIELDS:
            share = row[field]
            if past.height:
                baseline = past[field].median()
                if baseline and share < baseline * RELATIVE_FLOOR:
                    problems.append(HealthProblem(row["site"], field, share, baseline))
            elif field in ABSOLUTE_FLOORS and share < ABSOLUTE_FLOORS[field]:
                problems.append(HealthProblem(row["site"], field, share, None))
    return problems
