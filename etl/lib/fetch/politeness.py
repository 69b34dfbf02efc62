"""Politeness towards each host: requests spaced by the site's delay (or its robots.txt Crawl-delay, whichever is
longer), a cap on requests in flight per host and across the run, a pause after "slow down", and robots.txt
read once per origin for the run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from etl.lib.fetch.attempts import AttemptError, one_line
from etl.lib.fetch.robots import RobotsRules, robots_user_agent
from etl.lib.fetch.settings import FetchSettings
from etl.lib.sites import SiteConfig
from etl.lib.urls import origin_of

# the pool size of a host no site's politeness has been set for yet (only robots.txt goes there first)
_DEFAULT_HOST_CONCURRENCY = 4


@dataclass
class HostGate:
    """Per-host politeness: at most `concurrency` requests in flight, starts at least `delay` seconds apart."""

    delay: float
    concurrency: int
    _next_start: float = 0.0
    _semaphore: asyncio.Semaphore = field(init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self._semaphore = asyncio.Semaphore(self.concurrency)

    async def __aenter__(self) -> float:
        """Wait for this host's turn; the moment (time.monotonic) the request was let through."""
        await self._semaphore.acquire()
        try:
            async with self._lock:
                wait = self._next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                opened = time.monotonic()
                self._next_start = opened + self.delay
                return opened
        except BaseException:  # cancelled while waiting its turn: give the slot back
            self._semaphore.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._semaphore.release()

    def pause(self, seconds: float) -> None:
        """Start no request to this host for `seconds` (the host answered 429 or 503)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)


def _host(url: str) -> str:
    return urlsplit(url).netloc


class Politeness:
    """The gates of every host of one run, its robots.txt rules, and the cap on requests across hosts.

    `load_robots(origin, site)` fetches and reads an origin's robots.txt; it is called once per origin.
    """

    def __init__(
        self, settings: FetchSettings, load_robots: Callable[[str, SiteConfig], Awaitable[RobotsRules]]
    ) -> None:
        self.respect_robots = settings.respect_robots
        self.max_crawl_delay = settings.max_crawl_delay
        self.robots_agent = robots_user_agent(settings.user_agent)
        self._load_robots = load_robots
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, asyncio.Future[RobotsRules]] = {}
        self._global = asyncio.Semaphore(settings.max_connections)

    def gate(self, host: str, site: SiteConfig) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = HostGate(delay=site.delay_seconds, concurrency=site.max_concurrency)
        elif site.delay_seconds > gate.delay:
            gate.delay = site.delay_seconds  # two sites on one host: the more polite delay wins
        return gate

    def concurrency(self, host: str) -> int:
        """How many requests `host` may have in flight, which sizes its connection pool."""
        gate = self._gates.get(host)
        return gate.concurrency if gate is not None else _DEFAULT_HOST_CONCURRENCY

    @asynccontextmanager
    async def turn(self, url: str, site: SiteConfig) -> AsyncIterator[None]:
        """Hold one of the host's request slots and one of the run's, its delay after the last start kept."""
        async with self.gate(_host(url), site), self._global:
            yield

    def pause(self, url: str, site: SiteConfig, seconds: float) -> None:
        """ "Slow down" is about the host, not one page: hold back every request to it."""
        self.gate(_host(url), site).pause(seconds)

    async def robots_for(self, url: str, site: SiteConfig) -> RobotsRules:
        """The robots.txt rules of `url`'s origin, fetched once per run."""
        origin = origin_of(url)
        future = self._robots.get(origin)
        if future is None:
            future = self._robots[origin] = asyncio.get_running_loop().create_future()
            try:
                rules = await self._load_robots(origin, site)
            except Exception as error:  # never leave the other pages of this origin waiting forever
                rules = RobotsRules.deny_everything(origin, one_line(f"robots.txt unreadable: {error!r}"))
            delay = rules.crawl_delay(self.robots_agent)
            if delay:
                gate = self.gate(_host(origin), site)
                gate.delay = max(gate.delay, min(delay, self.max_crawl_delay))
            future.set_result(rules)
        return await future

    async def robots_refusal(self, url: str, site: SiteConfig) -> AttemptError | None:
        """Why robots.txt keeps us from `url`, or None when we may fetch it (or robots.txt is not respected)."""
        if not self.respect_robots:
            return None
        rules = await self.robots_for(url, site)
        if rules.allows(url, self.robots_agent):
            return None
        return AttemptError(rules.deny_outcome, rules.reason or "disallowed by robots.txt", retryable=False)
