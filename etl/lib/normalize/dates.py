"""Dates as pages print them, parsed to UTC timestamps in one vectorized pass.

Understood forms, tried in this order (the first that parses wins):

* ISO 8601 / RFC 3339: `2024-10-28T10:30:00+03:00`, `2024-10-28 15:47:42.389+00:00`, `...Z`, a bare date;
* RFC 2822 (feeds, HTTP): `Mon, 28 Oct 2024 10:30:00 +0300`, `... GMT`;
* day-month-year text in Arabic (both the Egyptian `أكتوبر` and the Levantine `تشرين الأول` month names),
  English, French or German, with an optional time anywhere in the text: `نشر: 14:19-28 أكتوبر 2024 م ـ 25 ربيع
  الثاني 1446 هـ`, `٢٨ تشرين الأول ٢٠٢٤`, `October 28, 2024 10:30 PM`;
* numeric dates with a four-digit year, `2024/10/28` or `28/10/2024` (day first, as Arabic and European
  sites print it, unless only month first makes a date: `10/28/2024`).

Arabic-Indic and Persian digits are folded first. A time without an offset is read as UTC: no page says which
zone it meant, and a site's zone is not in the sites file. Hijri dates are ignored (the Gregorian date printed
beside them wins); anything else becomes null, never an error.
"""

from __future__ import annotations

import polars as pl

from etl.lib.schema import UTC_TIMESTAMP
from etl.lib.text import clean_text, fold_digits

# Month names by number. Levantine names come before anything they contain, so that `كانون الثاني` (January)
# is not read as `تشرين الثاني` (November) by a shorter match.
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "january", "jan", "janvier", "janv", "januar"),
    2: ("فبراير", "شباط", "فيفري", "february", "feb", "février", "fevrier", "févr", "fevr", "februar"),
    3: ("مارس", "آذار", "اذار", "march", "mar", "mars", "märz", "maerz"),
    4: ("أبريل", "ابريل", "إبريل", "نيسان", "أفريل", "افريل", "april", "apr", "avril", "avr"),
    5: ("مايو", "أيار", "ايار", "ماي", "may", "mai"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun", "juin", "juni"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "july", "jul", "juillet", "juil", "juli"),
    8: ("أغسطس", "اغسطس", "آب", "اب", "أوت", "اوت", "august", "aug", "août", "aout"),
    9: ("سبتمبر", "أيلول", "ايلول", "september", "sept", "sep", "septembre"),
    10: (
        "أكتوبر",
        "اكتوبر",
        "تشرين الأول",
        "تشرين الاول",
        "تشرين أول",
        "october",
        "oct",
        "octobre",
        "oktober",
        "okt",
    ),
    11: ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "november", "nov", "novembre"),
    12: (
        "ديسمبر",
        "كانون الأول",
        "كانون الاول",
        "كانون أول",
        "december",
        "dec",
        "décembre",
        "decembre",
        "déc",
        "dezember",
        "dez",
    ),
}
_MONTH_NUMBER = {name: month for month, names in MONTHS.items() for name in names}
# Longest first, so the regex alternation prefers `تشرين الثاني` to a shorter name inside it.
_MONTH_ALTERNATION = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
# Letters on either side would make a month out of part of a word (`mar` in `market`, `اب` in `كتاب`).
_MONTH = rf"(?:^|[^\p{{L}}])(?<month>{_MONTH_ALTERNATION})(?:[^\p{{L}}]|$)"

_ISO = (
    r"^(?<y>[0-9]{4})-(?<mo>[0-9]{1,2})-(?<d>[0-9]{1,2})"
    r"(?:[T ](?<h>[0-9]{1,2}):(?<mi>[0-9]{2})(?::(?<s>[0-9]{2})(?:[.,](?<frac>[0-9]{1,9}))?)?)?"
    r" ?(?<tz>Z|z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_RFC2822 = (
    r"^(?:[A-Za-z]{3},? +)?(?<d>[0-9]{1,2}) +(?<mon>[A-Za-z]{3}) +(?<y>[0-9]{2,4})"
    r" +(?<h>[0-9]{1,2}):(?<mi>[0-9]{2})(?::(?<s>[0-9]{2}))? *(?<tz>[+-][0-9]{4}|[A-Za-z]{1,3})?$"
)
_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
                  "MST": -420, "MDT": -360, "PST": -480, "PDT": -420}  # fmt: skip
# Asharq Al-Awsat prints both month names, the second in brackets: `28 أكتوبر (تشرين الأول) 2024`.
_BRACKETED_ALIAS = r"(?:[(（][^()（）]{1,20}[)）])?"
_DAY_MONTH_YEAR = (
    rf"(?<d>[0-9]{{1,2}})(?:st|nd|rd|th|er)?\.?[ /\-]*{_MONTH}{_BRACKETED_ALIAS}[ ,/\-]*(?<y>[0-9]{{4}})"
)
_MONTH_DAY_YEAR = rf"{_MONTH} *(?<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,? +(?<y>[0-9]{{4}})"
# Numeric dates with a four-digit year; not inside a longer run of digits, dots or slashes.
_NUMERIC_YMD = r"(?:^|[^0-9./\-])(?<y>[0-9]{4})[/.\-](?<m>[0-9]{1,2})[/.\-](?<d>[0-9]{1,2})(?:[^0-9./\-]|$)"
_NUMERIC_DMY = r"(?:^|[^0-9./\-])(?<a>[0-9]{1,2})[/.\-](?<b>[0-9]{1,2})[/.\-](?<y>[0-9]{4})(?:[^0-9./\-]|$)"
_TIME = r"(?:^|[^0-9:])(?<h>[0-9]{1,2}):(?<mi>[0-9]{2})(?::(?<s>[0-9]{2}))? *(?<ampm>[AaPp]\.?[Mm]\.?|صباحا\u064B?|ص|مساء\u064B?|م)?"


def _int(field: pl.Expr) -> pl.Expr:
    return field.cast(pl.Int32, strict=False)


def _assemble(
    y: pl.Expr,
    mo: pl.Expr,
    d: pl.Expr,
    h: pl.Expr,
    mi: pl.Expr,
    s: pl.Expr,
    micros: pl.Expr,
    offset_minutes: pl.Expr,
) -> pl.Expr:
    """Validated calendar fields and an offset from UTC to a UTC timestamp; impossible dates give null."""
    text = pl.format(
        "{}-{}-{}T{}:{}:{}",
        y.cast(pl.String).str.zfill(4),
        mo.cast(pl.String).str.zfill(2),
        d.cast(pl.String).str.zfill(2),
        h.fill_null(0).cast(pl.String).str.zfill(2),
        mi.fill_null(0).cast(pl.String).str.zfill(2),
        s.fill_null(0).cast(pl.String).str.zfill(2),
    )
    local = text.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us", time_zone="UTC")
    return (
        local
        + pl.duration(microseconds=micros.fill_null(0))
        - pl.duration(minutes=offset_minutes.fill_null(0))
    )


def _offset_minutes(tz: pl.Expr) -> pl.Expr:
    """`Z`, `UTC`, `GMT`, `+03:00`, `+0300`, `-05`, or an RFC 2822 zone name, to minutes east of UTC."""
    tz = tz.str.to_uppercase()
    digits = tz.str.replace(":", "", literal=True)
    sign = pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
    numeric = sign * (_int(digits.str.slice(1, 2)) * 60 + _int(digits.str.slice(3, 2)).fill_null(0))
    return pl.when(tz.str.contains(r"^[+-]")).then(numeric).otherwise(tz.replace_strict(_ZONES, default=0))


def _iso(parts: pl.Expr) -> pl.Expr:
    micros = _int(parts.struct.field("frac").str.slice(0, 6).str.pad_end(6, "0"))
    fields = [_int(parts.struct.field(name)) for name in ("y", "mo", "d", "h", "mi", "s")]
    return _assemble(*fields, micros, _offset_minutes(parts.struct.field("tz")))


def _rfc2822(parts: pl.Expr) -> pl.Expr:
    year = _int(parts.struct.field("y"))
    year = pl.when(year < 50).then(year + 2000).when(year < 100).then(year + 1900).otherwise(year)
    month = (
        parts.struct.field("mon")
        .str.to_lowercase()
        .replace_strict(_MONTH_NUMBER, default=None, return_dtype=pl.Int32)
    )
    return _assemble(
        year,
        month,
        _int(parts.struct.field("d")),
        _int(parts.struct.field("h")),
        _int(parts.struct.field("mi")),
        _int(parts.struct.field("s")),
        pl.lit(0),
        _offset_minutes(parts.struct.field("tz")),
    )


def _hour(clock: pl.Expr) -> pl.Expr:
    hour = _int(clock.struct.field("h"))
    ampm = clock.struct.field("ampm").str.replace_all(r"[.\u064B]", "")
    is_pm = ampm.is_in(["pm", "مساء", "م"])
    is_am = ampm.is_in(["am", "صباحا", "ص"])
    return pl.when(is_pm & (hour < 12)).then(hour + 12).when(is_am & (hour == 12)).then(0).otherwise(hour)


def _text_date(dmy: pl.Expr, mdy: pl.Expr, clock: pl.Expr) -> pl.Expr:
    day = pl.coalesce(dmy.struct.field("d"), mdy.struct.field("d"))
    month_name = pl.coalesce(dmy.struct.field("month"), mdy.struct.field("month"))
    year = pl.coalesce(dmy.struct.field("y"), mdy.struct.field("y"))
    month = month_name.replace_strict(_MONTH_NUMBER, default=None, return_dtype=pl.Int32)
    return _assemble(
        _int(year),
        month,
        _int(day),
        _hour(clock),
        _int(clock.struct.field("mi")),
        _int(clock.struct.field("s")),
        pl.lit(0),
        pl.lit(0),
    )


def _numeric_date(ymd: pl.Expr, dmy: pl.Expr, clock: pl.Expr) -> pl.Expr:
    """`2024/10/28`, and `28/10/2024` read day first unless only the month-first reading is a date."""
    first, second = _int(dmy.struct.field("a")), _int(dmy.struct.field("b"))
    month_first = (first <= 12) & (second > 12)
    day = pl.coalesce(_int(ymd.struct.field("d")), pl.when(month_first).then(second).otherwise(first))
    month = pl.coalesce(_int(ymd.struct.field("m")), pl.when(month_first).then(first).otherwise(second))
    year = pl.coalesce(_int(ymd.struct.field("y")), _int(dmy.struct.field("y")))
    return _assemble(
        year,
        month,
        day,
        _hour(clock),
        _int(clock.struct.field("mi")),
        _int(clock.struct.field("s")),
        pl.lit(0),
        pl.lit(0),
    )


def parse_datetimes(values: pl.Series) -> pl.Series:
    """Dates as printed (any digits) to `Datetime("us", "UTC")`; unparseable text gives null.

    Built in stages of plain columns, so that each pattern runs once per value (a nested expression would
    run it again for every field it reads).
    """
    stage = pl.DataFrame({"raw": values}, schema={"raw": pl.String}).lazy()
    stage = stage.with_columns(fold_digits(clean_text(pl.col("raw"))).alias("text"))
    stage = stage.with_columns(pl.col("text").str.to_lowercase().alias("lowered"))
    stage = stage.with_columns(
        pl.col("text").str.extract_groups(_ISO).alias("iso"),
        pl.col("text").str.extract_groups(_RFC2822).alias("rfc"),
        pl.col("lowered").str.extract_groups(_DAY_MONTH_YEAR).alias("text_dmy"),
        pl.col("lowered").str.extract_groups(_MONTH_DAY_YEAR).alias("text_mdy"),
        pl.col("lowered").str.extract_groups(_NUMERIC_YMD).alias("numeric_ymd"),
        pl.col("lowered").str.extract_groups(_NUMERIC_DMY).alias("numeric_dmy"),
        pl.col("lowered").str.extract_groups(_TIME).alias("clock"),
    )
    parsed = stage.select(
        pl.coalesce(
            _iso(pl.col("iso")),
            _rfc2822(pl.col("rfc")),
            _text_date(pl.col("text_dmy"), pl.col("text_mdy"), pl.col("clock")),
            _numeric_date(pl.col("numeric_ymd"), pl.col("numeric_dmy"), pl.col("clock")),
        )
        .cast(UTC_TIMESTAMP)
        .alias(values.name)
    )
    return parsed.collect().to_series()
