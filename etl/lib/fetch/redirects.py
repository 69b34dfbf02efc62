"""The walk of one attempt from the URL asked to the response that ends it, redirects followed by hand so that
every hop is checked: robots.txt, the address guard (no private or loopback address, whatever a redirect
names), loops, the hop count and the attempt's time cap."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urljoin, urlsplit

import httpx

from etl.lib.fetch.attempts import (
    AttemptError,
    AttemptResult,
    Exchange,
    FetchJob,
    failure_from_exception,
    one_line,
)
from etl.lib.fetch.netguard import AddressGuard, BlockedAddressError, ResolutionError
from etl.lib.fetch.politeness import Politeness
from etl.lib.fetch.reading import ResponseReader
from etl.lib.fetch.settings import FetchSettings
from etl.lib.fetch.transport import HostClients
from etl.lib.urls import InvalidUrlError, canonicalize_url

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "document": "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,"
    "text/xml;q=0.9,*/*;q=0.5",
    "robots": "text/plain,*/*;q=0.5",
}


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _request_headers(job: FetchJob) -> dict[str, str]:
    headers = {"Accept": _ACCEPT[job.purpose]}
    if job.request is not None and job.request.etag:
        headers["If-None-Match"] = job.request.etag
    if job.request is not None and job.request.last_modified:
        headers["If-Modified-Since"] = job.request.last_modified
    return headers


class RedirectWalk:
    """Follows one attempt's redirects; the response at the end goes to the `ResponseReader`."""

    def __init__(
        self,
        settings: FetchSettings,
        politeness: Politeness,
        guard: AddressGuard,
        clients: HostClients,
        reader: ResponseReader,
    ) -> None:
        self.settings = settings
        self.politeness = politeness
        self.guard = guard
        self.clients = clients
        self.reader = reader

    async def follow(self, url: str, job: FetchJob, exchange: Exchange) -> AttemptResult:
        """The attempt's result, or `AttemptError`; `exchange` says how far the walk got either way.

        The time cap counts only time spent on the network, not time queued behind a host's politeness.
        """
        try:
            current = canonicalize_url(url)
        except InvalidUrlError as error:
            raise AttemptError("invalid_url", one_line(str(error))) from None
        seen = {current}
        headers = _request_headers(job)
        for _hop in range(self.settings.max_redirects + 1):
            exchange.final_url = current
            if job.purpose != "robots":
                refusal = await self.politeness.robots_refusal(current, job.site)
                if refusal is not None:
                    raise refusal
            await self._check_address(current)
            async with self.politeness.turn(current, job.site):
                step = await self._timed_hop(current, headers, seen, job, exchange)
            if isinstance(step, AttemptResult):
                return step
            current = step
        raise AttemptError("too_many_redirects", f"more than {self.settings.max_redirects} redirects")

    async def _check_address(self, url: str) -> None:
        """Refuse the hop before it queues for its host; the connection itself is held to the same addresses."""
        host, port = _host_and_port(url)
        try:
            await self.guard.resolve(host, port)
        except BlockedAddressError as error:
            raise AttemptError("blocked_private", one_line(str(error))) from None
        except ResolutionError as error:
            raise AttemptError("connection_error", one_line(str(error))) from None

    async def _timed_hop(
        self, current: str, headers: dict[str, str], seen: set[str], job: FetchJob, exchange: Exchange
    ) -> str | AttemptResult:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.total_timeout - exchange.elapsed_ms / 1000):
                return await self._hop(current, headers, seen, job, exchange)
        except TimeoutError:
            raise AttemptError(
                "timeout", f"no complete response within {self.settings.total_timeout:g}s"
            ) from None
        except httpx.HTTPError as error:
            raise failure_from_exception(error) from None
        finally:
            exchange.elapsed_ms += int((time.monotonic() - started) * 1000)

    async def _hop(
        self, current: str, headers: dict[str, str], seen: set[str], job: FetchJob, exchange: Exchange
    ) -> str | AttemptResult:
        """One request: the URL it redirects to (canonical, not seen before), else the attempt's result."""
        host = urlsplit(current).netloc
        client = self.clients.for_host(host, self.politeness.concurrency(host))
        async with client.stream("GET", current, headers=headers) as response:
            exchange.status = response.status_code
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                try:
                    target = canonicalize_url(urljoin(current, location.strip()))
                except InvalidUrlError as error:
                    raise AttemptError("invalid_url", one_line(f"redirect to {error}")) from None
                if target in seen:
                    raise AttemptError("redirect_loop", one_line(f"redirect loop back to {target}"))
                seen.add(target)
                return target
            return await self.reader.read(response, job, exchange)
