"""Photo credits: the agency behind a printed credit, through the reviewed alias table `etl/data/credit_aliases.csv`.

Matching is on a comparison key (lower-case letters and digits, Arabic letter variants unified), so `أ.ف.ب`,
`ا.ف.ب`, `أ ف ب` and `AFP` all meet the same row. A credit naming several parties (`AFP/Getty Images`,
`Philipp von Ditfurth/dpa`, `أرشيفية - رويترز`) is split on `/ | , ، ; ؛ ( )`, a spaced dash and ` via `:

* the whole credit is tried first, then each part in printed order; the **first** agency found is the credit.
  `AFP via Getty Images` and `AFP/Getty Images` are AFP: the agency that made the photo comes first, the
  distributor after it;
* an archive marker (`أرشيفية`, `file`, `Archiv` ...) in any part sets `is_archive_photo`;
* with no agency found, the credit is the raw text as printed (cleaned): unknown credits are kept, not lost.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import polars as pl

from etl.lib.text import clean_optional, comparison_key

ALIAS_TABLE = ("etl", "data/credit_aliases.csv")
_SEPARATORS = r"\s*(?:[/|,،;؛()\[\]]|\s[-–—]\s|\s[-–—]|[-–—]\s|\svia\s)\s*"
_PART_BREAK = "\x1f"
# Words that say a bracketed tail is a credit even when its agency is not in the table.
_CREDIT_CUES = (
    r"(?i)(?:photo|foto|bild|image|©|credit|crédit|courtesy|handout|media|agency|press|news"
    r"|صورة|تصوير|إعلام|اعلام|وكالة|وكالات|مواقع|منصة|متداولة|حساب|/|^\S\.\S)"
)
_LABEL_PREFIX = r"(?i)^(?:photo|foto|bild|image|credit|crédit|source|صورة|تصوير|المصدر|©)\s*[:：]?\s*"


@functools.cache
def credit_aliases() -> pl.DataFrame:
    """The alias table keyed for matching: `key`, `agency` (null for archive markers), `kind`."""
    package, name = ALIAS_TABLE
    with resources.files(package).joinpath(name).open("rb") as handle:
        table = pl.read_csv(handle, schema_overrides={"alias": pl.String, "agency": pl.String})
    # Spellings that differ only in hamza or dots share a key; the table lists them anyway for its readers.
    keyed = table.select(comparison_key(pl.col("alias")).alias("key"), "agency", "kind").unique(
        maintain_order=True
    )
    conflicts = keyed.filter(pl.col("key").is_duplicated())
    if conflicts.height:
        raise ValueError(
            f"credit alias table maps one key to two agencies: {conflicts['key'].unique().to_list()}"
        )
    return keyed


@functools.cache
def _alias_keys() -> frozenset[str]:
    return frozenset(credit_aliases()["key"].to_list())


def names_known_credit(text: str) -> bool:
    """True when the text, or one of its parts (as `resolve_credits` splits them), is in the alias table."""
    parts = pl.DataFrame({"part": [text, *re.split(_SEPARATORS, text)]}, schema={"part": pl.String})
    keys = parts.select(comparison_key(pl.col("part").str.replace(_LABEL_PREFIX, ""))).to_series()
    return any(key in _alias_keys() for key in keys.to_list())


def has_credit_cue(text: str) -> bool:
    """A word or sign that says a text is a credit ("Foto", "©", "handout", a slash, "A.F.P")."""
    return bool(re.search(_CREDIT_CUES, text))


def resolve_credits(credit_raw: pl.Series) -> pl.DataFrame:
    """Printed credits to `credit` (canonical agency, else the cleaned raw text) and `is_archive_photo`.

    Vectorized: split, explode, join on the alias table and take the first agency per row.
    """
    frame = pl.DataFrame({"raw": credit_raw}).with_row_index("row")
    cleaned = frame.with_columns(clean_optional(pl.col("raw")).alias("raw"))
    parts = (
        cleaned.select(
            "row",
            pl.concat_list(
                pl.col("raw"),  # the whole credit first, so a table entry with a slash wins over its parts
                pl.col("raw").str.replace_all(_SEPARATORS, _PART_BREAK).str.split(_PART_BREAK),
            ).alias("part"),
        )
        .explode("part")
        .with_columns(pl.int_range(pl.len()).over("row").alias("order"))
        .with_columns(comparison_key(pl.col("part").str.replace(_LABEL_PREFIX, "")).alias("key"))
        .filter(pl.col("key").str.len_chars() > 0)
        .join(credit_aliases(), on="key", how="inner")
    )
    found = (
        parts.sort("row", "order")
        .group_by("row")
        .agg(
            pl.col("agency").drop_nulls().first(),
            (pl.col("kind") == "archive").any().alias("is_archive_photo"),
        )
    )
    return (
        cleaned.join(found, on="row", how="left")
        .sort("row")
        .select(
            pl.coalesce("agency", "raw").alias("credit"),
            pl.col("is_archive_photo").fill_null(False),
        )
    )
