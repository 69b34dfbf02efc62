"""Bylines and datelines: who wrote a piece and from where, kept as printed minus guillemets and brackets.

| printed | source | kind | place |
|---|---|---|---|
| «الشرق الأوسط» (موسكو) | الشرق الأوسط | organisation | موسكو |
| براكريتي غوبتا (نيودلهي) | براكريتي غوبتا | person | نيودلهي |
| لندن: «الشرق الأوسط» | الشرق الأوسط | organisation | لندن |
| By Jane Doe, Reuters | Jane Doe | person | |
| CAIRO (Reuters) - | Reuters | organisation | CAIRO |

A bracket holding a known agency (from the credit alias table) is the source and the text before it the place
(the wire dateline); otherwise the bracket is the place. A source is an organisation when it was quoted
(«» or "") or is a known agency or names one (وكالة, agency, news, staff ...); otherwise a person.
"""

from __future__ import annotations

import polars as pl

from etl.lib.credits import credit_aliases
from etl.lib.text import clean_optional, comparison_key

_BY_PREFIX = r"(?i)^(?:by|von|par|por|بقلم|كتب|كتبت|إعداد|اعداد|تقرير|تحرير)\s*[:：\-–]?\s+"
_BRACKETED = r"^(?<outer>[^()（）]*?)\s*[(（](?<inner>[^()（）]+)[)）]\s*[-–—:]?\s*$"
_PLACE_FIRST = r"^(?<place>[^:：«»\"“”]{1,60}?)\s*[:：]\s*(?<rest>\S[\s\S]*)$"
_NAME_THEN_AGENCY = r"^(?<name>[^,،]+?)\s*[,،]\s*(?<org>[^,،]+)$"
_QUOTED = r"^[«\"“„'‘](?<inside>.+)[»\"”“'’]$"
_ORGANISATION_CUES = (
    r"(?i)(?:وكالة|وكالات|صحيفة|جريدة|قناة|موقع|فريق|مراسل|محرر|agency|agence|news|press|presse|staff|desk|"
    r"newsroom|editorial|redaktion|times|post|tribune|reuters|afp|dpa)"
)


def _unquote(expr: pl.Expr) -> pl.Expr:
    return pl.coalesce(expr.str.extract(_QUOTED, 1), expr).str.strip_chars(" -–—:")


def _is_known_agency(expr: pl.Expr) -> pl.Expr:
    agencies = credit_aliases().filter(pl.col("kind") == "agency")["key"].implode()
    return comparison_key(_unquote(expr)).is_in(agencies)


def parse_bylines(byline: pl.Expr) -> list[pl.Expr]:
    """Expressions for `byline` (cleaned, as printed), `byline_source`, `byline_kind` and `byline_place`."""
    printed = clean_optional(byline)
    text = printed.str.replace(_BY_PREFIX, "")
    bracketed = text.str.extract_groups(_BRACKETED)
    outer = bracketed.struct.field("outer").str.strip_chars()
    inner = bracketed.struct.field("inner").str.strip_chars()
    wire_dateline = _is_known_agency(inner) & ~_is_known_agency(outer)
    place_first = text.str.extract_groups(_PLACE_FIRST)
    name_agency = text.str.extract_groups(_NAME_THEN_AGENCY)
    name_before_agency = _is_known_agency(name_agency.struct.field("org")) & ~_is_known_agency(
        name_agency.struct.field("name")
    )

    has_bracket = inner.is_not_null() & (outer.str.len_chars() > 0)
    raw_source = (
        pl.when(has_bracket & wire_dateline)
        .then(inner)
        .when(has_bracket)
        .then(outer)
        .when(place_first.struct.field("rest").is_not_null())
        .then(place_first.struct.field("rest"))
        .when(name_before_agency)
        .then(name_agency.struct.field("name"))
        .otherwise(text)
    )
    place = (
        pl.when(has_bracket & wire_dateline)
        .then(outer)
        .when(has_bracket)
        .then(inner)
        .when(place_first.struct.field("rest").is_not_null())
        .then(place_first.struct.field("place"))
        .otherwise(None)
    )
    source = clean_optional(_unquote(raw_source))
    was_quoted = raw_source.str.contains(_QUOTED)
    is_organisation = was_quoted | _is_known_agency(raw_source) | raw_source.str.contains(_ORGANISATION_CUES)
    kind = (
        pl.when(source.is_null())
        .then(None)
        .when(is_organisation)
        .then(pl.lit("organisation"))
        .otherwise(pl.lit("person"))
    )
    return [
        printed.alias("byline"),
        source.alias("byline_source"),
        kind.alias("byline_kind"),
        clean_optional(_unquote(place)).alias("byline_place"),
    ]
