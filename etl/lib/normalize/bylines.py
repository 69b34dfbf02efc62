"""Bylines and datelines: who wrote a piece and from where, kept as printed minus guillemets and brackets.

| printed | source | kind | place |
|---|---|---|---|
| «الشرق الأوسط» (موسكو) | الشرق الأوسط | organisation | موسكو |
| براكريتي غوبتا (نيودلهي) | براكريتي غوبتا | person | نيودلهي |
| لندن: «الشرق الأوسط» | الشرق الأوسط | organisation | لندن |
| By Jane Doe, Reuters | Jane Doe | person | |
| CAIRO (Reuters) - | Reuters | organisation | CAIRO |

| Jane Doe (Reuters) | Jane Doe | person | |
| Martin Untersinger (avec Damien Leloup) | Martin Untersinger (avec Damien Leloup) | person | |

Brackets, in order:

* a known agency (from the credit alias table) after a short place with no lower-case Latin letters is a wire
  dateline: the agency is the source, the text before it the place (`CAIRO (Reuters)`, `بيروت (أ.ف.ب)`);
* a known agency after anything else (a name, or a `By ...` byline) is the writer's employer: the source is
  the writer, with no place;
* up to three words that do not start with "with"/"and" (`avec`, `mit`, `مع`, `و` ...) are the place;
* anything else is part of the source, kept whole.

A source is an organisation when it was quoted («» or "") or is a known agency or names one (وكالة, agency,
news, staff ...); otherwise a person.
"""

from __future__ import annotations

import polars as pl

from etl.lib.extract import credit_aliases
from etl.lib.text import clean_optional, comparison_key

_BY_PREFIX = r"(?i)^(?:by|von|par|por|بقلم|كتب|كتبت|إعداد|اعداد|تقرير|تحرير)\s*[:：\-–]?\s+"
_BRACKETED = r"^(?<outer>[^()（）]*?)\s*[(（](?<inner>[^()（）]+)[)）]\s*[-–—:]?\s*$"
_PLACE_FIRST = r"^(?<place>[^:：«»\"“”]{1,60}?)\s*[:：]\s*(?<rest>\S[\s\S]*)$"
_NAME_THEN_AGENCY = r"^(?<name>[^,،]+?)\s*[,،]\s*(?<org>[^,،]+)$"
_QUOTED = r"^[«\"“„'‘](?<inside>.+)[»\"”“'’]$"
_ORGANISATION_CUES = (
    r"(?i)(?:وكالة|وكالات|صحيفة|جريدة|قناة|موقع|فريق|مراسل|محرر"
    r"|\b(?:agency|agence|news|press|presse|staff|desk|newsroom|editorial|redaktion|times|tribune)\b)"
)
_NOT_A_PLACE_START = r"(?i)^(?:with|and|avec|et|mit|und|con|y|مع|و|بالتعاون|بمشاركة)\b"
_PLACE_MAX_WORDS = 3


def _unquote(expr: pl.Expr) -> pl.Expr:
    return pl.coalesce(expr.str.extract(_QUOTED, 1), expr).str.strip_chars(" -–—:")


def _is_known_agency(expr: pl.Expr) -> pl.Expr:
    agencies = credit_aliases().filter(pl.col("kind") == "agency")["key"].implode()
    return comparison_key(_unquote(expr)).is_in(agencies)


def parse_bylines(bylines: pl.Series) -> pl.DataFrame:
    """`byline` (cleaned, as printed), `byline_source`, `byline_kind` and `byline_place`, one row per byline.

    Built in stages of plain columns: one nested expression would recompute its shared parts per reference.
    """
    stage = pl.DataFrame({"byline": bylines}, schema={"byline": pl.String}).lazy()
    stage = stage.with_columns(clean_optional(pl.col("byline")).alias("byline"))
    stage = stage.with_columns(
        pl.col("byline").str.replace(_BY_PREFIX, "").alias("text"),
        pl.col("byline").str.contains(_BY_PREFIX).alias("has_by_prefix"),
    )
    stage = stage.with_columns(
        pl.col("text").str.extract_groups(_BRACKETED).alias("bracketed"),
        pl.col("text").str.extract_groups(_PLACE_FIRST).alias("place_first"),
        pl.col("text").str.extract_groups(_NAME_THEN_AGENCY).alias("name_agency"),
    ).unnest("bracketed", "place_first", "name_agency")
    stage = stage.with_columns(pl.col("outer", "inner").str.strip_chars())
    stage = stage.with_columns(
        _is_known_agency(pl.col("inner")).alias("inner_is_agency"),
        _is_known_agency(pl.col("outer")).alias("outer_is_agency"),
        (_is_known_agency(pl.col("org")) & ~_is_known_agency(pl.col("name"))).alias("name_before_agency"),
        (pl.col("inner").is_not_null() & (pl.col("outer").str.len_chars() > 0)).alias("has_bracket"),
        (pl.col("outer").str.count_matches(r"\S+") <= _PLACE_MAX_WORDS).alias("outer_is_short"),
        (
            (pl.col("inner").str.count_matches(r"\S+") <= _PLACE_MAX_WORDS)
            & ~pl.col("inner").str.contains(_NOT_A_PLACE_START)
        ).alias("inner_is_short"),
    )
    dateline = (
        pl.col("has_bracket")
        & pl.col("inner_is_agency")
        & ~pl.col("outer_is_agency")
        & pl.col("outer_is_short")
        & ~pl.col("outer").str.contains(r"\p{Ll}")
        & ~pl.col("has_by_prefix")
    )
    employer = pl.col("has_bracket") & pl.col("inner_is_agency")
    bracket_is_place = pl.col("has_bracket") & pl.col("inner_is_short")
    stage = stage.with_columns(
        pl.when(dateline)
        .then(pl.col("inner"))
        .when(employer | bracket_is_place)
        .then(pl.col("outer"))
        .when(pl.col("has_bracket"))
        .then(pl.col("text"))
        .when(pl.col("rest").is_not_null())
        .then(pl.col("rest"))
        .when(pl.col("name_before_agency"))
        .then(pl.col("name"))
        .otherwise(pl.col("text"))
        .alias("raw_source"),
        pl.when(dateline)
        .then(pl.col("outer"))
        .when(employer)
        .then(None)
        .when(bracket_is_place)
        .then(pl.col("inner"))
        .when(pl.col("has_bracket"))
        .then(None)
        .when(pl.col("rest").is_not_null())
        .then(pl.col("place"))
        .otherwise(None)
        .alias("raw_place"),
    )
    stage = stage.with_columns(
        clean_optional(_unquote(pl.col("raw_source"))).alias("byline_source"),
        clean_optional(_unquote(pl.col("raw_place"))).alias("byline_place"),
        (
            pl.col("raw_source").str.contains(_QUOTED)
            | _is_known_agency(pl.col("raw_source"))
            | pl.col("raw_source").str.contains(_ORGANISATION_CUES)
        ).alias("is_organisation"),
    )
    kind = (
        pl.when(pl.col("byline_source").is_null())
        .then(None)
        .when(pl.col("is_organisation"))
        .then(pl.lit("organisation"))
        .otherwise(pl.lit("person"))
    )
    return stage.select("byline", "byline_source", kind.alias("byline_kind"), "byline_place").collect()
