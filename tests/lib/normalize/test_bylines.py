"""Bylines and datelines split into source, kind and place, kept as printed without guillemets or brackets."""

import polars as pl
import pytest

from etl.lib.normalize.bylines import parse_bylines

BYLINES = [
    # the related-article cards of the seed page (Asharq Al-Awsat)
    ("«الشرق الأوسط» (موسكو)", "الشرق الأوسط", "organisation", "موسكو"),
    ("«الشرق الأوسط» (باريس)", "الشرق الأوسط", "organisation", "باريس"),
    ("براكريتي غوبتا (نيودلهي)", "براكريتي غوبتا", "person", "نيودلهي"),
    # place first, then the source
    ("لندن: «الشرق الأوسط»", "الشرق الأوسط", "organisation", "لندن"),
    ("القاهرة: محمد عبده", "محمد عبده", "person", "القاهرة"),
    ("واشنطن: «الشرق الأوسط» \u200f", "الشرق الأوسط", "organisation", "واشنطن"),
    # a prefix that only says "by"
    ("بقلم: سمير عطا الله", "سمير عطا الله", "person", None),
    ("By Jane Doe, Reuters", "Jane Doe", "person", None),
    ("By Birgit Baumann", "Birgit Baumann", "person", None),
    # wire datelines: the agency is in the bracket, the place outside it
    ("CAIRO (Reuters) -", "Reuters", "organisation", "CAIRO"),
    ("WASHINGTON (AP) —", "AP", "organisation", "WASHINGTON"),
    ("بيروت (أ.ف.ب)", "أ.ف.ب", "organisation", "بيروت"),
    # a bracketed agency after a name is the writer's employer, not a dateline
    ("Jane Doe (Reuters)", "Jane Doe", "person", None),
    ("By Jane Doe (AFP)", "Jane Doe", "person", None),
    # a long bracket is no place (mozilla-readability test page lemonde-1)
    (
        "Martin Untersinger (avec Damien Leloup et Morgane Tual)",
        "Martin Untersinger (avec Damien Leloup et Morgane Tual)",
        "person",
        None,
    ),
    ("Aleš Vávra", "Aleš Vávra", "person", None),  # mozilla-readability test page aktualne
    ("Washington Post staff", "Washington Post staff", "organisation", None),
    # a bare source
    ("وكالة الأنباء السعودية", "وكالة الأنباء السعودية", "organisation", None),
    ("Jane Doe", "Jane Doe", "person", None),
    ("", None, None, None),
    (None, None, None, None),
]


@pytest.mark.parametrize(("printed", "source", "kind", "place"), BYLINES)
def test_parse_byline(printed, source, kind, place):
    frame = parse_bylines(pl.Series([printed], dtype=pl.String))
    assert frame.columns == ["byline", "byline_source", "byline_kind", "byline_place"]
    assert frame.row(0)[1:] == (source, kind, place)


def test_parse_bylines_keeps_row_order_over_a_column():
    frame = parse_bylines(pl.Series([printed for printed, *_ in BYLINES], dtype=pl.String))
    assert frame.select(pl.exclude("byline")).rows() == [tuple(expected) for _, *expected in BYLINES]


def test_byline_is_kept_as_printed_only_cleaned():
    frame = parse_bylines(pl.Series(["\u200f«الشرق الأوسط»  (موسكو)"]))
    assert frame["byline"].to_list() == ["«الشرق الأوسط» (موسكو)"]
