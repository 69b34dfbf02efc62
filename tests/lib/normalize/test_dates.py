"""Date parsing to UTC: ISO 8601, RFC 2822 and dates printed as Arabic, English, French or German text."""

from datetime import UTC, datetime

import polars as pl
import pytest

from etl.lib.normalize.dates import parse_datetimes
from etl.lib.schema import UTC_TIMESTAMP


def _parse(values):
    parsed = parse_datetimes(pl.Series("raw", values, dtype=pl.String))
    assert (parsed.name, parsed.dtype) == ("raw", UTC_TIMESTAMP)
    return parsed.to_list()


CASES = [
    # ISO 8601 / RFC 3339 with offsets, as JSON-LD and OpenGraph print them
    ("2024-10-28T10:30:00+03:00", datetime(2024, 10, 28, 7, 30, tzinfo=UTC)),
    ("2024-10-28T10:30:00+0300", datetime(2024, 10, 28, 7, 30, tzinfo=UTC)),
    ("2024-10-28T02:00:00-05:00", datetime(2024, 10, 28, 7, 0, tzinfo=UTC)),
    ("2024-10-28T10:30:00Z", datetime(2024, 10, 28, 10, 30, tzinfo=UTC)),
    ("2024-05-03 15:47:42.389000+00:00", datetime(2024, 5, 3, 15, 47, 42, 389000, tzinfo=UTC)),
    ("2024-10-28T10:30", datetime(2024, 10, 28, 10, 30, tzinfo=UTC)),  # no offset: read as UTC
    ("2024-10-28", datetime(2024, 10, 28, tzinfo=UTC)),
    ("٢٠٢٤-١٠-٢٨T١٠:٣٠:٠٠+٠٣:٠٠", datetime(2024, 10, 28, 7, 30, tzinfo=UTC)),  # Arabic-Indic digits
    # RFC 2822, as feeds and HTTP headers print them
    ("Mon, 28 Oct 2024 10:30:00 +0300", datetime(2024, 10, 28, 7, 30, tzinfo=UTC)),
    ("Mon, 28 Oct 2024 10:30:00 GMT", datetime(2024, 10, 28, 10, 30, tzinfo=UTC)),
    ("28 Oct 2024 10:30 EST", datetime(2024, 10, 28, 15, 30, tzinfo=UTC)),
    # Asharq Al-Awsat's line: time, Gregorian date with Egyptian month name, then the Hijri date
    ("نُشر: 14:19-28 أكتوبر 2024 م ـ 25 رَبيع الثاني 1446 هـ", datetime(2024, 10, 28, 14, 19, tzinfo=UTC)),
    ("الاثنين 28 أكتوبر 2024", datetime(2024, 10, 28, tzinfo=UTC)),
    ("في يوليو (تموز) 2024", None),  # no day: not a date
    (
        "28 أكتوبر (تشرين الأول) 2024",
        datetime(2024, 10, 28, tzinfo=UTC),
    ),  # both month names, as aawsat prints
    ("الاثنين 28 أكتوبر (تشرين الأول) 2024 - 10:30", datetime(2024, 10, 28, 10, 30, tzinfo=UTC)),
    # Levantine month names, including the pairs that share a word
    ("٢٨ تشرين الأول ٢٠٢٤", datetime(2024, 10, 28, tzinfo=UTC)),
    ("15 كانون الثاني 2024", datetime(2024, 1, 15, tzinfo=UTC)),
    ("3 تشرين الثاني 2023 الساعة 10:05 مساءً", datetime(2023, 11, 3, 22, 5, tzinfo=UTC)),
    ("1 كانون الأول 2023", datetime(2023, 12, 1, tzinfo=UTC)),
    ("12 آب 2024", datetime(2024, 8, 12, tzinfo=UTC)),
    ("۷ مايو ۲۰۲۴", datetime(2024, 5, 7, tzinfo=UTC)),  # Persian digits
    # Latin-script text dates
    ("October 28, 2024 10:30 PM", datetime(2024, 10, 28, 22, 30, tzinfo=UTC)),
    ("28 octobre 2024", datetime(2024, 10, 28, tzinfo=UTC)),
    ("3. Mai 2024, 14:24 Uhr", datetime(2024, 5, 3, 14, 24, tzinfo=UTC)),
    ("28. Oktober 2024", datetime(2024, 10, 28, tzinfo=UTC)),
    # numeric dates with a four-digit year: day first unless only month first is a date
    ("2024/10/28", datetime(2024, 10, 28, tzinfo=UTC)),
    ("28/10/2024 - 10:30", datetime(2024, 10, 28, 10, 30, tzinfo=UTC)),
    ("٢٨/١٠/٢٠٢٤", datetime(2024, 10, 28, tzinfo=UTC)),
    ("03.05.2024", datetime(2024, 5, 3, tzinfo=UTC)),
    ("10/28/2024", datetime(2024, 10, 28, tzinfo=UTC)),
    ("نشر في 2024-10-28 الساعة 09:15 ص", datetime(2024, 10, 28, 9, 15, tzinfo=UTC)),
    ("الإصدار 1.2.3", None),
    # impossible or absent dates are null, never an error
    ("2024-02-30", None),
    ("31 نوفمبر 2024", None),
    ("يوم الجمعة", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_parse_datetimes(raw, expected):
    assert _parse([raw]) == [expected]


def test_a_whole_column_parses_in_one_pass():
    raws = [raw for raw, _ in CASES]
    assert _parse(raws) == [expected for _, expected in CASES]
