"""Whether and when a failed attempt is tried again: timeouts, dropped connections, 429 and 5xx are; the
server's Retry-After is honoured up to a cap, otherwise an exponential backoff with jitter."""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from etl.lib.fetch.attempts import AttemptError
from etl.lib.fetch.settings import FetchSettings

RETRYABLE_OUTCOMES = frozenset({"timeout", "connection_error"})


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header, given as seconds or as an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_base: float  # seconds before the second attempt; doubles each time
    backoff_max: float
    retry_after_cap: float  # a longer wait ends the page instead

    @classmethod
    def from_settings(cls, settings: FetchSettings, max_attempts: int | None = None) -> RetryPolicy:
        return cls(
            max_attempts=max_attempts or settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
            retry_after_cap=settings.retry_after_cap,
        )

    def delay(self, failure: AttemptError | None, status: int | None, number: int) -> float | None:
        """Seconds before attempt `number + 1` after `failure` (with the last status seen); None: do not retry."""
        if failure is None:
            return None
        retryable = failure.retryable
        if retryable is None:
            retryable = failure.outcome in RETRYABLE_OUTCOMES or (
                failure.outcome == "http_error" and status is not None and (status == 429 or status >= 500)
            )
        if not retryable:
            return None
        return failure.retry_after if failure.retry_after is not None else self.backoff(number)

    def backoff(self, number: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (number - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter keeps retries from arriving in lockstep
