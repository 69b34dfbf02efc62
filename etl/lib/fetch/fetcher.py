"""Polite, bounded, SSRF-guarded fetching of article pages (and, for discovery, of feeds and sitemaps).

`fetch_pages` is synchronous for its callers and runs one asyncio loop with httpx clients inside: concurrent
across hosts, polite within one, with retries, caps on time, redirects and bytes, and a `FetchAttempt` for
every HTTP attempt. No page can make it raise: every failure ends as an attempt with an outcome class and a
one-line error. The parts: `politeness` (per-host spacing and concurrency, robots.txt), `redirects` (the hop
by hop walk with the address guard), `reading` (status, headers, body caps, charset, page check), `retries`
(whether and when again), `transport` (the guarded connection pools) and `attempts` (the record).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from etl.lib.fetch.attempts import (
    AttemptError,
    AttemptResult,
    Exchange,
    FetchJob,
    attempt_record,
    one_line,
)
from etl.lib.fetch.netguard import AddressGuard
from etl.lib.fetch.politeness import Politeness
from etl.lib.fetch.reading import ResponseReader
from etl.lib.fetch.redirects import RedirectWalk
from etl.lib.fetch.retries import RetryPolicy
from etl.lib.fetch.robots import RobotsRules
from etl.lib.fetch.settings import FetchSettings
from etl.lib.fetch.transport import HostClients
from etl.lib.records import FetchAttempt, FetchRequest
from etl.lib.sites import SiteConfig, SitesFile
from etl.lib.urls import host_of
from etl.lib.warehouse import RawArchive

T = TypeVar("T")
# Politeness for requests whose site the sites file does not name (the URL only satisfies validation).
_DEFAULT_SITE = SiteConfig(name="default", urls=["http://default.invalid/"])


@dataclass
class Download:
    """The outcome of fetching one URL: every attempt, and the body of the final one when it has one."""

    attempts: list[FetchAttempt]
    body: bytes | None = None

    @property
    def final(self) -> FetchAttempt:
        return self.attempts[-1]


class Fetcher:
    """The shared machinery of `fetch_pages` and discovery; use inside one asyncio loop, as a context manager."""

    def __init__(
        self, settings: FetchSettings, archive: RawArchive | None = None, *, check_pages: bool = True
    ) -> None:
        self.settings = settings
        guard = AddressGuard(
            allow_private_networks=settings.allow_private_networks,
            allowlist=settings.private_network_allowlist,
            resolve_timeout=settings.connect_timeout,
        )
        self._politeness = Politeness(settings, self._load_robots)
        self._clients = HostClients(settings, guard)
        reader = ResponseReader(archive, check_pages=check_pages, min_text_chars=settings.min_text_chars)
        self._walk = RedirectWalk(settings, self._politeness, guard, self._clients, reader)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._clients.aclose()

    async def robots_for(self, url: str, site: SiteConfig) -> RobotsRules:
        """The robots.txt rules of `url`'s origin, fetched once per run."""
        return await self._politeness.robots_for(url, site)

    async def _load_robots(self, origin: str, site: SiteConfig) -> RobotsRules:
        download = await self.fetch(
            f"{origin}/robots.txt",
            site,
            purpose="robots",  # retried like a page: one timeout must not cost the host its whole run
            max_bytes=self.settings.max_robots_bytes,
        )
        return RobotsRules.from_fetch(origin, download.final, download.body)

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
        job = FetchJob(
            site,
            purpose,
            request,
            max_bytes or settings.max_wire_bytes,
            max_bytes or settings.max_decoded_bytes,
        )
        retries = RetryPolicy.from_settings(settings, max_attempts)
        attempts: list[FetchAttempt] = []
        for number in range(1, retries.max_attempts + 1):
            fetched_at = datetime.now(UTC)
            exchange = Exchange()
            try:
                result, failure = await self._walk.follow(url, job, exchange), None
            except AttemptError as error:
                result, failure = error.result(), error
            retry_in = retries.delay(failure, exchange.status, number)
            is_final = number == retries.max_attempts or retry_in is None
            if not is_final and retry_in is not None and retry_in > retries.retry_after_cap:
                result = replace(
                    result, error=one_line(f"{result.error}; Retry-After {retry_in:.0f}s exceeds the cap")
                )
                is_final = True
            attempts.append(
                attempt_record(url, site.name, number, fetched_at, exchange, result, is_final=is_final)
            )
            if exchange.status in (429, 503) and retry_in is not None and retry_in <= retries.retry_after_cap:
                self._politeness.pause(exchange.final_url or url, site, retry_in)
            if is_final:
                return Download(attempts, result.body)
            await asyncio.sleep(retry_in or 0.0)
        raise AssertionError("unreachable: the last attempt always returns")


def _queue_of(url: str) -> str:
    """The host whose queue `url` waits in; a URL too broken to name a host waits alone, and its attempt says
    why (`invalid_url`) instead of the error ending the whole run."""
    try:
        return host_of(url)
    except ValueError:
        return url


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
                failed = AttemptResult("connection_error", one_line(f"unexpected {error!r}"))
                attempts = [attempt_record(request.url, request.site, 1, datetime.now(UTC), Exchange(), failed,
                                           is_final=True)]  # fmt: skip
            # outside the try: an exception in the caller's callback is the caller's, not a page's
            if on_attempt is not None:
                for attempt in attempts:
                    on_attempt(attempt)
            return attempts

        # A few workers per host, not a task per request: a run of 100,000 pages then holds 100,000 small
        # requests in memory, not 100,000 suspended coroutines.
        queues: dict[str, deque[int]] = defaultdict(deque)
        for index, request in enumerate(requests):
            queues[_queue_of(request.url)].append(index)
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
