"""Polite, bounded, SSRF-guarded fetching of article pages (and, for discovery, of feeds and sitemaps).

`fetch_pages` is synchronous for its callers and runs one asyncio loop with an `httpx.AsyncClient` inside:
concurrent across hosts, polite within one (robots.txt and Crawl-delay, a per-host delay and concurrency cap),
with retries, caps on time, redirects and bytes, and a `FetchAttempt` for every HTTP attempt. No page can make
it raise: every failure ends as an attempt with an outcome class and a one-line error.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import ssl
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from etl.lib.fetch.charset import detect_charset
from etl.lib.fetch.content_decoding import (
    ACCEPT_ENCODING,
    BodyTooLargeError,
    BoundedDecoder,
    ContentDecodingError,
)
from etl.lib.fetch.netguard import AddressGuard, BlockedAddressError, GuardedBackend, ResolutionError
from etl.lib.fetch.pagecheck import HTML_TYPES, binary_kind, classify_html, media_type
from etl.lib.fetch.robots import RobotsRules, robots_user_agent
from etl.lib.records import FetchAttempt, FetchRequest
from etl.lib.sites import SiteConfig, SitesFile
from etl.lib.urls import InvalidUrlError, canonicalize_url, host_of, origin_of
from etl.lib.warehouse import RawArchive

T = TypeVar("T")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRYABLE_OUTCOMES = frozenset({"timeout", "connection_error"})
_TIMEOUT_MEANING = {
    "ConnectTimeout": "no connection within the connect timeout",
    "ReadTimeout": "no data within the read timeout",
    "WriteTimeout": "could not send the request within the write timeout",
    "PoolTimeout": "no free connection within the pool timeout",
}
_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "document": "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,"
    "text/xml;q=0.9,*/*;q=0.5",
    "robots": "text/plain,*/*;q=0.5",
}
_CHALLENGE_STATUSES = frozenset({403, 429, 503})
_CHALLENGE_READ_BYTES = 256 * 1024
# Politeness for requests whose site the sites file does not name (the URL only satisfies validation).
_DEFAULT_SITE = SiteConfig(name="default", urls=["http://default.invalid/"])


@dataclass(frozen=True)
class FetchSettings:
    """How fetching behaves; the defaults suit a daily crawl of news sites."""

    user_agent: str = "Akhbar/0.1 (+https://github.com/akhbar-news/akhbar)"
    allow_private_networks: bool = False
    private_network_allowlist: tuple[str, ...] = ()  # CIDRs reachable even when private networks are refused
    ca_bundle: str | None = None  # a CA file trusted besides the system's (a TLS-inspecting proxy, a test CA)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two reads, not for the whole body
    total_timeout: float = 90.0  # one attempt: redirects, headers and body
    max_redirects: int = 10
    # Body caps times max_connections bound the run's memory: 10 MiB x 32 in flight stays well under 1 GB,
    # and news pages, even with inline JSON, rarely pass 3 MiB.
    max_wire_bytes: int = 8 * 1024 * 1024  # compressed, as received
    max_decoded_bytes: int = 10 * 1024 * 1024  # after Content-Encoding
    max_attempts: int = 3
    backoff_base: float = 2.0  # seconds before the second attempt; doubles each time, with jitter
    backoff_max: float = 60.0
    retry_after_cap: float = 300.0  # a longer Retry-After ends the page as http_error instead of waiting
    respect_robots: bool = True
    max_crawl_delay: float = 60.0  # a larger robots.txt Crawl-delay is clamped to this
    max_robots_bytes: int = 512 * 1024
    max_connections: int = 32  # across all hosts
    min_text_chars: int = 64  # fewer visible characters in a 200 page make it an empty shell

    @classmethod
    def from_sites(cls, sites: SitesFile) -> FetchSettings:
        return cls(user_agent=sites.full_user_agent, allow_private_networks=sites.allow_private_networks)


@dataclass
class Download:
    """The outcome of fetching one URL: every attempt, and the body of the final one when it has one."""

    attempts: list[FetchAttempt]
    body: bytes | None = None

    @property
    def final(self) -> FetchAttempt:
        return self.attempts[-1]


@dataclass(frozen=True)
class _Job:
    """What one `Fetcher.fetch` call asks for, handed down to each attempt and hop."""

    site: SiteConfig
    purpose: str  # page (HTML only, checked and archived) | document (feeds, sitemaps: any type) | robots
    request: FetchRequest | None
    max_wire: int
    max_decoded: int


@dataclass(frozen=True)
class _Redirect:
    """A hop that answered with a redirect to `url` (already canonical and not seen before)."""

    url: str


class _AttemptError(Exception):
    """Ends one attempt with an outcome; `retry_after` (seconds) when the server said when to come back."""

    def __init__(
        self,
        outcome: str,
        error: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ):
        super().__init__(error)
        self.outcome = outcome
        self.error = error
        self.status = status
        self.retry_after = retry_after
        if retryable is None:
            retryable = outcome in _RETRYABLE_OUTCOMES or (
                outcome == "http_error" and status is not None and (status == 429 or status >= 500)
            )
        self.retryable = retryable


@dataclass
class _HostGate:
    """Per-host politeness: at most `concurrency` requests in flight, starts at least `delay` seconds apart."""

    delay: float
    concurrency: int
    _next_start: float = 0.0
    _semaphore: asyncio.Semaphore = field(init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self._semaphore = asyncio.Semaphore(self.concurrency)

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()
        try:
            async with self._lock:
                wait = self._next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = time.monotonic() + self.delay
        except BaseException:  # cancelled while waiting its turn: give the slot back
            self._semaphore.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._semaphore.release()

    def pause(self, seconds: float) -> None:
        """Start no request to this host for `seconds` (the host answered 429 or 503)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)


def _parse_retry_after(value: str | None) -> float | None:
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


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


def _default_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _tls_error(error: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _failure_from_exception(error: Exception) -> _AttemptError:
    """Map an httpx exception to an outcome class with a one-line error."""
    tls = _tls_error(error)
    if tls is not None:
        # a bad certificate stays bad on the next attempt
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or tls
        return _AttemptError("connection_error", _one_line(f"TLS failed: certificate or handshake: {reason}"),
                             retryable=False)  # fmt: skip
    cause = error.__cause__
    if isinstance(cause, BlockedAddressError):
        return _AttemptError("blocked_private", _one_line(str(cause)))
    if isinstance(cause, ResolutionError):
        return _AttemptError("connection_error", _one_line(str(cause)))
    if isinstance(error, httpx.TimeoutException):
        detail = str(error) or _TIMEOUT_MEANING.get(type(error).__name__, "timed out")
        return _AttemptError("timeout", _one_line(f"{type(error).__name__}: {detail}"))
    if isinstance(error, httpx.RemoteProtocolError):
        return _AttemptError("connection_error", _one_line(f"truncated or malformed response: {error}"))
    if isinstance(error, httpx.NetworkError | httpx.ProtocolError):
        detail = str(error) or str(cause or "") or "connection reset or closed by the server"
        return _AttemptError("connection_error", _one_line(f"{type(error).__name__}: {detail}"))
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return _AttemptError("invalid_url", _one_line(str(error)))
    return _AttemptError("connection_error", _one_line(f"unexpected {type(error).__name__}: {error}"))


class Fetcher:
    """The shared machinery of `fetch_pages` and discovery; use inside one asyncio loop, as a context manager."""

    def __init__(
        self, settings: FetchSettings, archive: RawArchive | None = None, *, check_pages: bool = True
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.check_pages = check_pages
        self._robots_agent = robots_user_agent(settings.user_agent)
        self._guard = AddressGuard(
            allow_private_networks=settings.allow_private_networks,
            allowlist=settings.private_network_allowlist,
            resolve_timeout=settings.connect_timeout,
        )
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, asyncio.Future[RobotsRules]] = {}
        self._global = asyncio.Semaphore(settings.max_connections)
        self._clients: dict[str, httpx.AsyncClient] = {}

    async def __aenter__(self) -> Fetcher:
        self._ssl_context = httpx.create_ssl_context()  # built once: it loads the CA bundle
        if self.settings.ca_bundle:
            self._ssl_context.load_verify_locations(self.settings.ca_bundle)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()))

    def _client_for(self, host: str) -> httpx.AsyncClient:
        """One small connection pool per host: httpcore scans its whole pool on every request, so one shared
        pool of hundreds of connections would cost more CPU than the requests themselves."""
        client = self._clients.get(host)
        if client is not None:
            return client
        settings = self.settings
        size = self._gates[host].concurrency if host in self._gates else 4
        transport = httpx.AsyncHTTPTransport(verify=self._ssl_context, trust_env=False)
        # httpx has no public hook for the network backend, so the pool is rebuilt with the guarded one:
        # every connection, on every redirect hop, goes only to addresses the guard checked.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._ssl_context,
            max_connections=size,
            max_keepalive_connections=size,
            network_backend=GuardedBackend(self._guard),
        )
        client = self._clients[host] = httpx.AsyncClient(
            transport=transport,
            trust_env=False,  # an environment proxy would bypass the address guard
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept-Encoding": ACCEPT_ENCODING,
                "Accept-Language": "*",
            },
        )
        return client

    def _gate(self, host: str, site: SiteConfig) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(delay=site.delay_seconds, concurrency=site.max_concurrency)
        elif site.delay_seconds > gate.delay:
            gate.delay = site.delay_seconds  # two sites on one host: the more polite delay wins
        return gate

    async def robots_for(self, url: str, site: SiteConfig) -> RobotsRules:
        """The robots.txt rules of `url`'s origin, fetched once per run."""
        origin = origin_of(url)
        future = self._robots.get(origin)
        if future is None:
            future = self._robots[origin] = asyncio.get_running_loop().create_future()
            try:
                rules = await self._load_robots(origin, site)
            except Exception as error:  # never leave the other pages of this origin waiting forever
                rules = RobotsRules.deny_everything(origin, _one_line(f"robots.txt unreadable: {error!r}"))
            delay = rules.crawl_delay(self._robots_agent)
            if delay:
                gate = self._gate(urlsplit(origin).netloc, site)
                gate.delay = max(gate.delay, min(delay, self.settings.max_crawl_delay))
            future.set_result(rules)
        return await future

    async def _load_robots(self, origin: str, site: SiteConfig) -> RobotsRules:
        url = f"{origin}/robots.txt"
        download = await self.fetch(
            url,
            site,
            purpose="robots",  # retried like a page: one timeout must not cost the host its whole run
            max_bytes=self.settings.max_robots_bytes,
        )
        final = download.final
        if final.outcome == "ok" and download.body is not None:
            return RobotsRules.parse(origin, download.body.decode("utf-8", "replace"))
        if final.status is not None and 400 <= final.status < 500:
            return RobotsRules.allow_all(origin)
        if final.outcome in ("blocked_private", "invalid_url", "too_large"):
            # the page fetch reports the address itself; an oversized robots.txt is ignored like Google does
            return RobotsRules.allow_all(origin)
        if final.outcome in ("timeout", "connection_error"):
            # the host itself is unreachable: say so, rather than blame robots.txt
            return RobotsRules.deny_everything(
                origin, f"host unreachable: {final.error}", outcome=final.outcome
            )
        return RobotsRules.deny_everything(origin, f"robots.txt unavailable ({final.outcome}: {final.error})")

    async def fetch(
        self,
        url: str,
        site: SiteConfig,
        *,
        purpose: str = "page",  # page | document (feeds, sitemaps: any type) | robots
        request: FetchRequest | None = None,
        max_attempts: int | None = None,
        max_bytes: int | None = None,  # replaces both body caps, for documents larger than pages
    ) -> Download:
        """Fetch `url` with retries; never raises for anything the server or the URL does."""
        settings = self.settings
        job = _Job(
            site,
            purpose,
            request,
            max_bytes or settings.max_wire_bytes,
            max_bytes or settings.max_decoded_bytes,
        )
        max_attempts = max_attempts or settings.max_attempts
        attempts: list[FetchAttempt] = []
        for number in range(1, max_attempts + 1):
            download, retry_in = await self._attempt(url, job, number)
            attempt = download.final
            is_last = number == max_attempts or retry_in is None
            if not is_last and retry_in is not None and retry_in > settings.retry_after_cap:
                attempt.error = _one_line(f"{attempt.error}; Retry-After {retry_in:.0f}s exceeds the cap")
                is_last = True
            attempt.is_final = is_last
            attempts.append(attempt)
            if attempt.status in (429, 503) and retry_in is not None and retry_in <= settings.retry_after_cap:
                # "slow down" is about the host, not this page: hold back every request to it
                self._gate(urlsplit(attempt.final_url or url).netloc, site).pause(retry_in)
            if is_last:
                return Download(attempts, download.body)
            await asyncio.sleep(retry_in or 0.0)
        raise AssertionError("unreachable: the last attempt always returns")

    def _backoff(self, number: int) -> float:
        ceiling = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (number - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter keeps retries from arriving in lockstep

    async def _attempt(self, url: str, job: _Job, number: int) -> tuple[Download, float | None]:
        """One attempt, and in how many seconds to retry it (None: do not)."""
        attempt = FetchAttempt(
            url=url, site=job.site.name, attempt=number, outcome="ok", fetched_at=datetime.now(UTC)
        )
        body: bytes | None = None
        retry: float | None = None
        try:
            body = await self._follow(url, job, attempt)
        except _AttemptError as failure:
            attempt.outcome, attempt.error = failure.outcome, failure.error
            attempt.status = failure.status if failure.status is not None else attempt.status
            if failure.retryable:
                retry = failure.retry_after if failure.retry_after is not None else self._backoff(number)
        except TimeoutError:
            attempt.outcome = "timeout"
            attempt.error = f"no complete response within {self.settings.total_timeout:g}s"
            retry = self._backoff(number)
        except httpx.HTTPError as error:
            failure = _failure_from_exception(error)
            attempt.outcome, attempt.error = failure.outcome, failure.error
            retry = self._backoff(number) if failure.retryable else None
        kept = body if attempt.outcome in ("ok", "bot_challenge", "empty_page") else None
        return Download([attempt], kept), retry

    async def _follow(self, url: str, job: _Job, attempt: FetchAttempt) -> bytes | None:
        """Follow redirects by hand, checking robots and the address guard on every hop.

        The time cap counts only time spent on the network, not time queued behind a host's politeness.
        """
        try:
            current = canonicalize_url(url)
        except InvalidUrlError as error:
            raise _AttemptError("invalid_url", _one_line(str(error))) from None
        seen = {current}
        headers = {"Accept": _ACCEPT[job.purpose]}
        if job.request is not None and job.request.etag:
            headers["If-None-Match"] = job.request.etag
        if job.request is not None and job.request.last_modified:
            headers["If-Modified-Since"] = job.request.last_modified
        for _hop in range(self.settings.max_redirects + 1):
            attempt.final_url = current
            if job.purpose != "robots" and self.settings.respect_robots:
                rules = await self.robots_for(current, job.site)
                if not rules.allows(current, self._robots_agent):
                    raise _AttemptError(
                        rules.deny_outcome, rules.reason or "disallowed by robots.txt", retryable=False
                    )
            host, port = _default_port(current)
            try:
                await self._guard.resolve(host, port)
            except BlockedAddressError as error:
                raise _AttemptError("blocked_private", _one_line(str(error))) from None
            except ResolutionError as error:
                raise _AttemptError("connection_error", _one_line(str(error))) from None
            async with self._gate(urlsplit(current).netloc, job.site), self._global:
                hop_started = time.monotonic()
                try:
                    async with asyncio.timeout(self.settings.total_timeout - attempt.elapsed_ms / 1000):
                        result = await self._hop(current, headers, seen, job, attempt)
                finally:
                    attempt.elapsed_ms += int((time.monotonic() - hop_started) * 1000)
            if isinstance(result, _Redirect):
                current = result.url
                continue
            return result
        raise _AttemptError("too_many_redirects", f"more than {self.settings.max_redirects} redirects")

    async def _hop(
        self, current: str, headers: dict[str, str], seen: set[str], job: _Job, attempt: FetchAttempt
    ) -> _Redirect | bytes | None:
        """One request: where it redirects to, else the body (None for a 304)."""
        client = self._client_for(urlsplit(current).netloc)
        async with client.stream("GET", current, headers=headers) as response:
            attempt.status = response.status_code
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                try:
                    target = canonicalize_url(urljoin(current, location.strip()))
                except InvalidUrlError as error:
                    raise _AttemptError("invalid_url", _one_line(f"redirect to {error}")) from None
                if target in seen:
                    raise _AttemptError("redirect_loop", _one_line(f"redirect loop back to {target}"))
                seen.add(target)
                return _Redirect(target)
            return await self._read(response, job, attempt)

    async def _read(self, response: httpx.Response, job: _Job, attempt: FetchAttempt) -> bytes | None:
        status = response.status_code
        attempt.content_type = response.headers.get("content-type")
        attempt.etag = response.headers.get("etag")
        attempt.last_modified = response.headers.get("last-modified")
        if status == 304:
            attempt.outcome = "not_modified"
            return None
        if status in _CHALLENGE_STATUSES and media_type(attempt.content_type) in HTML_TYPES:
            await self._raise_if_challenge(response, job, attempt)
        if status >= 400 or status < 200:
            retry_after = _parse_retry_after(response.headers.get("retry-after"))
            raise _AttemptError("http_error", f"HTTP {status} {response.reason_phrase}".strip(), status=status,
                           retry_after=retry_after)  # fmt: skip
        kind = media_type(attempt.content_type)
        if job.purpose == "page" and kind is not None and kind not in HTML_TYPES:
            raise _AttemptError("not_html", f"content type {kind} is not HTML", status=status)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > job.max_wire:
            raise _AttemptError("too_large", f"Content-Length {declared} exceeds {job.max_wire} bytes")
        body = await self._read_body(response, attempt, job.max_wire, job.max_decoded)
        attempt.body_sha256 = hashlib.sha256(body).hexdigest()
        if job.purpose != "page":
            return body
        return await asyncio.to_thread(self._check_page, body, job.request, attempt)

    async def _raise_if_challenge(self, response: httpx.Response, job: _Job, attempt: FetchAttempt) -> None:
        """Bot walls answer 403 or 503 with a challenge page; that is not a server error worth retrying."""
        try:
            body = await self._read_body(response, attempt, job.max_wire, _CHALLENGE_READ_BYTES)
        except _AttemptError:
            return
        html = body.decode(detect_charset(body, attempt.content_type) or "utf-8", "replace")
        outcome, why = classify_html(html, min_text_chars=0)
        if outcome == "bot_challenge":
            raise _AttemptError(outcome, f"HTTP {response.status_code}: {why}", status=response.status_code)

    async def _read_body(
        self, response: httpx.Response, attempt: FetchAttempt, max_wire: int, max_decoded: int
    ) -> bytes:
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding"), max_decoded)
        except ContentDecodingError as error:
            raise _AttemptError("decode_error", str(error), status=response.status_code) from None
        parts: list[bytes] = []
        try:
            async for chunk in response.aiter_raw():
                attempt.bytes_received += len(chunk)
                if attempt.bytes_received > max_wire:
                    raise _AttemptError("too_large", f"body exceeds {max_wire} bytes on the wire")
                decoded = decoder.feed(chunk)
                attempt.bytes_decoded += len(decoded)
                parts.append(decoded)
            decoder.finish()
        except BodyTooLargeError as error:
            raise _AttemptError("too_large", str(error), status=response.status_code) from None
        except ContentDecodingError as error:
            raise _AttemptError("decode_error", str(error), status=response.status_code) from None
        return b"".join(parts)

    def _check_page(self, body: bytes, request: FetchRequest | None, attempt: FetchAttempt) -> bytes:
        """Decode and judge an HTML page, then archive it (runs in a worker thread: CPU and disk)."""
        binary = binary_kind(body)
        if binary is not None:
            raise _AttemptError("not_html", f"body is {binary}, though served as {attempt.content_type}")
        charset = detect_charset(body, attempt.content_type)
        if charset is None:
            raise _AttemptError("decode_error", "no charset decodes the body")
        attempt.encoding = charset
        attempt.unchanged = request is not None and request.previous_content_hash == attempt.body_sha256
        # A new body the caller judges on its own parse (see fetch_pages); an unchanged one is never extracted.
        if self.check_pages or attempt.unchanged:
            html = body.decode(charset)
            attempt.outcome, attempt.error = classify_html(html, min_text_chars=self.settings.min_text_chars)
        else:
            attempt.outcome = "ok"
        if self.archive is not None:
            attempt.archive_key = self.archive.put(body)
        return body


def _site_for(request: FetchRequest, sites: dict[str, SiteConfig]) -> SiteConfig:
    """The request's site, or default politeness for a site the sites file does not name."""
    return sites.get(request.site) or _DEFAULT_SITE.model_copy(update={"name": request.site})


async def _fetch_all(
    requests: Sequence[FetchRequest],
    sites: SitesFile,
    archive: RawArchive,
    settings: FetchSettings,
    on_attempt: Callable[[FetchAttempt], None] | None,
    check_pages: bool,
) -> list[FetchAttempt]:
    by_name = {site.name: site for site in sites.sites}
    async with Fetcher(settings, archive, check_pages=check_pages) as fetcher:

        async def one(request: FetchRequest) -> list[FetchAttempt]:
            site = _site_for(request, by_name)
            try:
                attempts = (await fetcher.fetch(request.url, site, request=request)).attempts
            except Exception as error:  # a bug here must not lose the other pages
                attempts = [FetchAttempt(url=request.url, site=request.site, attempt=1, outcome="connection_error",
                                         fetched_at=datetime.now(UTC), error=_one_line(f"unexpected {error!r}"))]  # fmt: skip
            # outside the try: an exception in the caller's callback is the caller's, not a page's
            if on_attempt is not None:
                for attempt in attempts:
                    on_attempt(attempt)
            return attempts

        # A few workers per host, not a task per request: a run of 100,000 pages then holds 100,000 small
        # requests in memory, not 100,000 suspended coroutines.
        queues: dict[str, deque[int]] = defaultdict(deque)
        for index, request in enumerate(requests):
            queues[host_of(request.url)].append(index)
        results: list[list[FetchAttempt]] = [[] for _ in requests]

        async def worker(queue: deque[int]) -> None:
            while queue:
                index = queue.popleft()
                results[index] = await one(requests[index])

        workers = []
        for queue in queues.values():
            site = _site_for(requests[queue[0]], by_name)
            workers.extend(worker(queue) for _ in range(min(site.max_concurrency, len(queue))))
        await asyncio.gather(*workers)
    return [attempt for attempts in results for attempt in attempts]


def fetch_pages(
    requests: Sequence[FetchRequest],
    *,
    sites: SitesFile,
    archive: RawArchive,
    settings: FetchSettings | None = None,
    on_attempt: Callable[[FetchAttempt], None] | None = None,
    check_pages: bool = True,
) -> list[FetchAttempt]:
    """Fetch every request's page; return every attempt (retried ones with `is_final=False`).

    Final ok attempts have their body in `archive` (`archive_key`) and `encoding` set; so do `bot_challenge`
    and `empty_page` ones, for inspection. `on_attempt` gets each page's attempts as soon as the page is done.
    Runs its own asyncio loop.

    With `check_pages=False` a new body is not judged here (`pagecheck.classify_html`) but left "ok" for the
    caller to judge on the parse it makes anyway (extraction does: `extract_article(min_text_chars=...)`),
    which records its own verdict (`raw.extraction_outcomes`) beside the fetch log. Unchanged bodies are judged
    here still.
    """
    settings = settings or FetchSettings.from_sites(sites)
    return run_sync(_fetch_all(requests, sites, archive, settings, on_attempt, check_pages))


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion from synchronous code, even when this thread already runs an event loop
    (a notebook, an async caller): then it runs on a fresh loop in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1, thread_name_prefix="akhbar-fetch") as pool:
        return pool.submit(asyncio.run, coroutine).result()
