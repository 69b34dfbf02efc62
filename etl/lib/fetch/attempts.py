"""One HTTP attempt: what it asks for, what it saw on the wire, how it ended, and the one place its
`FetchAttempt` record is built from those.

The redirect walk and the response reading fill in an `Exchange` as bytes arrive and end with an
`AttemptResult` or raise an `AttemptError`; the fetcher turns the two into the record once the retry policy
has said whether the attempt is the last.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime

import httpx

from etl.lib.fetch.netguard import BlockedAddressError, ResolutionError
from etl.lib.records import FetchAttempt, FetchRequest
from etl.lib.sites import SiteConfig

_TIMEOUT_MEANING = {
    "ConnectTimeout": "no connection within the connect timeout",
    "ReadTimeout": "no data within the read timeout",
    "WriteTimeout": "could not send the request within the write timeout",
    "PoolTimeout": "no free connection within the pool timeout",
}


@dataclass(frozen=True)
class FetchJob:
    """What one `Fetcher.fetch` call asks for, handed down to each attempt and hop."""

    site: SiteConfig
    purpose: str  # page (HTML only, checked and archived) | document (feeds, sitemaps: any type) | robots
    request: FetchRequest | None
    max_wire: int
    max_decoded: int


@dataclass
class Exchange:
    """What one attempt has asked and received so far.

    Filled in as the hops and the bytes come, so that whatever ends the attempt (a refusal, a cap, the clock),
    its record says how far it got: the last URL asked, the last status, the bytes read before the cap.
    """

    final_url: str | None = None  # after redirects, canonicalized
    status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    bytes_received: int = 0
    bytes_decoded: int = 0
    body_sha256: str | None = None
    elapsed_ms: int = 0  # network time only, not time queued behind a host's politeness


@dataclass(frozen=True)
class AttemptResult:
    """How an attempt ended: its outcome class and, for a body worth keeping, the body and what it holds."""

    outcome: str = "ok"
    error: str | None = None  # one line
    body: bytes | None = None  # ok pages and documents; bot_challenge and empty_page pages, for inspection
    encoding: str | None = None
    unchanged: bool = False
    archive_key: str | None = None


class AttemptError(Exception):
    """Ends one attempt with an outcome; `retry_after` (seconds) when the server said when to come back.

    `retryable` None leaves the decision to the retry policy, which reads the outcome and the status.
    """

    def __init__(
        self, outcome: str, error: str, *, retry_after: float | None = None, retryable: bool | None = None
    ) -> None:
        super().__init__(error)
        self.outcome = outcome
        self.error = error
        self.retry_after = retry_after
        self.retryable = retryable

    def result(self) -> AttemptResult:
        return AttemptResult(self.outcome, self.error)


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


def _tls_error(error: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def failure_from_exception(error: httpx.HTTPError) -> AttemptError:
    """Map an httpx exception to an outcome class with a one-line error."""
    tls = _tls_error(error)
    if tls is not None:
        # a bad certificate stays bad on the next attempt
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or tls
        return AttemptError("connection_error", one_line(f"TLS failed: certificate or handshake: {reason}"),
                              retryable=False)  # fmt: skip
    cause = error.__cause__
    if isinstance(cause, BlockedAddressError):
        return AttemptError("blocked_private", one_line(str(cause)))
    if isinstance(cause, ResolutionError):
        return AttemptError("connection_error", one_line(str(cause)))
    if isinstance(error, httpx.TimeoutException):
        detail = str(error) or _TIMEOUT_MEANING.get(type(error).__name__, "timed out")
        return AttemptError("timeout", one_line(f"{type(error).__name__}: {detail}"))
    if isinstance(error, httpx.RemoteProtocolError):
        return AttemptError("connection_error", one_line(f"truncated or malformed response: {error}"))
    if isinstance(error, httpx.NetworkError | httpx.ProtocolError):
        detail = str(error) or str(cause or "") or "connection reset or closed by the server"
        return AttemptError("connection_error", one_line(f"{type(error).__name__}: {detail}"))
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return AttemptError("invalid_url", one_line(str(error)))
    return AttemptError("connection_error", one_line(f"unexpected {type(error).__name__}: {error}"))


def attempt_record(
    url: str,
    site: str,
    number: int,
    fetched_at: datetime,
    exchange: Exchange,
    result: AttemptResult,
    *,
    is_final: bool,
) -> FetchAttempt:
    """The fetch log's row for one attempt: the only place a `FetchAttempt` is made."""
    return FetchAttempt(
        url=url,
        site=site,
        attempt=number,
        outcome=result.outcome,
        fetched_at=fetched_at,
        final_url=exchange.final_url,
        status=exchange.status,
        content_type=exchange.content_type,
        encoding=result.encoding,
        bytes_received=exchange.bytes_received,
        bytes_decoded=exchange.bytes_decoded,
        elapsed_ms=exchange.elapsed_ms,
        archive_key=result.archive_key,
        body_sha256=exchange.body_sha256,
        etag=exchange.etag,
        last_modified=exchange.last_modified,
        error=result.error,
        is_final=is_final,
        unchanged=result.unchanged,
    )
