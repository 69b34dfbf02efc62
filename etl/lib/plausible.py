"""The range of publication times Akhbar believes: shared by extraction, which sets an impossible date aside and
takes the next source's, and by validation, which checks what reaches the warehouse against the same range."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# News sites started publishing on the web in the 1990s; an earlier date is a CMS placeholder
# ("0001-01-01T00:00:00Z", "1970-01-01") or a parsing error.
MIN_TIMESTAMP = datetime(1990, 1, 1, tzinfo=UTC)
# A local time printed without an offset is read as UTC (etl.lib.normalize.dates), so a fresh article from a zone
# east of UTC (up to UTC+14) can look that far in the future.
FUTURE_TOLERANCE = timedelta(hours=14)


def time_rejection(moment: datetime | date, reference: datetime) -> str | None:
    """Why `moment` cannot be when an article fetched at `reference` was published or modified (a rule
    name), or None. A date without a time is judged by its day; a naive time is read as UTC."""
    if isinstance(moment, datetime):
        instant = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        if instant < MIN_TIMESTAMP:
            return "date_before_1990"
        return "date_in_future" if instant > reference + FUTURE_TOLERANCE else None
    if moment < MIN_TIMESTAMP.date():
        return "date_before_1990"
    return "date_in_future" if moment > (reference + FUTURE_TOLERANCE).date() else None
