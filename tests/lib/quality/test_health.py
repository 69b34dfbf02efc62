"""Extraction health: a field a site stops filling fails, named by site and field; normal days pass."""

from datetime import date

import polars as pl

from etl.lib.quality.health import field_shares, health_problems

DAY_1, DAY_2 = date(2024, 10, 28), date(2024, 10, 29)


def _day(
    day: date,
    *,
    site: str = "aawsat",
    n: int = 4,
    body: str = "نص " * 100,
    links: bool = True,
    credits: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    ids = [f"{site}-{i}" for i in range(n)]  # the same articles every day, as on a revisit
    articles = pl.DataFrame(
        {
            "article_id": ids,
            "site": [site] * n,
            "partition_date": [day] * n,
            "title": ["عنوان"] * n,
            "published_at": [None] * n,
            "body_text": [body] * n,
        }
    )
    images = pl.DataFrame(
        {
            "article_id": ids,
            "partition_date": [day] * n,
            "is_lead": [True] * n,
            "credit_raw": ["أ.ف.ب" if credits else None] * n,
        }
    )
    related = pl.DataFrame(
        {"article_id": ids if links else [], "partition_date": [day] * (n if links else 0)},
        schema={"article_id": pl.String, "partition_date": pl.Date},
    )
    return articles, images, related


def _shares(*days: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return field_shares(*(pl.concat([day[i] for day in days], how="vertical_relaxed") for i in range(3)))


def test_a_steady_site_has_no_problem():
    assert health_problems(_shares(_day(DAY_1), _day(DAY_2)), DAY_2) == []


def test_fields_a_redesign_empties_are_named_with_their_site():
    problems = health_problems(
        _shares(_day(DAY_1), _day(DAY_2, body="قصير", links=False, credits=False)), DAY_2
    )
    assert {(p.site, p.field) for p in problems} == {
        ("aawsat", "body"),
        ("aawsat", "related_links"),
        ("aawsat", "image_credit"),
    }
    assert "site aawsat: related_links present on 0% of articles (vs recent median 100%)" in map(
        str, problems
    )


def test_a_new_site_is_held_to_absolute_floors_only():
    problems = health_problems(_shares(_day(DAY_2, site="new", body="قصير", links=False)), DAY_2)
    assert [(p.site, p.field, p.baseline) for p in problems] == [("new", "body", None)]


def test_one_site_breaking_does_not_blame_another():
    shares = _shares(
        _day(DAY_1), _day(DAY_1, site="other"), _day(DAY_2, links=False), _day(DAY_2, site="other")
    )
    assert [(p.site, p.field) for p in health_problems(shares, DAY_2)] == [("aawsat", "related_links")]
