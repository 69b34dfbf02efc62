"""Discovery: the article URLs each site announces in its feeds, sitemaps, robots.txt, homepage and URL list.

Everything is fetched through the same polite, SSRF-guarded `Fetcher` as article pages. The same URL from two
sources stays two `DiscoveredUrl` rows, each with what its source said; the loader merges them. A source that
cannot be read ends as a `DiscoveryError` and never stops the other sources.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime

from etl.lib.discover.feeds import FeedError, feed_links, parse_feed_with_errors
from etl.lib.discover.safexml import UnsafeXmlError
from etl.lib.discover.sitemaps import MAX_SITEMAP_BYTES, ChildSitemap, SitemapError, parse_sitemap
from etl.lib.fetch import Fetcher, FetchSettings, run_sync
from etl.lib.records import DiscoveredUrl
from etl.lib.sites import SiteConfig, SitesFile
from etl.lib.urls import InvalidUrlError, canonicalize_url, origin_of

# Sitemap indexes of big news sites reach back decades; the newest children are the ones with new articles.
MAX_SITEMAPS_PER_SITE = 200
MAX_INDEX_DEPTH = 3
URL_LIST_SOURCE = "sites-file"  # source_url of the URLs listed in the sites file itself


@dataclass
class DiscoveryError:
    """A source (feed, sitemap, homepage, URL) that could not be read, in one line."""

    site: str
    source_url: str
    message: str


class _SiteDiscovery:
    """Discovery of one site; collects rows and errors as its sources come in."""

    def __init__(self, fetcher: Fetcher, site: SiteConfig, since: datetime | None) -> None:
        self.fetcher = fetcher
        self.site = site
        self.since = since
        self.found: list[DiscoveredUrl] = []
        self.errors: list[DiscoveryError] = []
        self._sitemaps_seen: set[str] = set()
        self._feeds_seen: set[str] = set()

    def error(self, source_url: str, message: str) -> None:
        self.errors.append(DiscoveryError(self.site.name, source_url, " ".join(message.split())[:500]))

    def skipped(self, source_url: str, messages: list[str]) -> None:
        """One error per source, however many of its entries were unusable, so the log stays readable."""
        if messages:
            count = f"{len(messages)} entries skipped" if len(messages) > 1 else "entry skipped"
            self.error(source_url, f"{count}: {messages[0]}")

    async def _get(self, url: str) -> bytes | None:
        download = await self.fetcher.fetch(url, self.site, purpose="document", max_bytes=MAX_SITEMAP_BYTES)
        final = download.final
        if final.outcome != "ok" or download.body is None:
            self.error(url, f"{final.outcome}: {final.error or final.status}")
            return None
        return download.body

    async def feed(self, url: str) -> None:
        if url in self._feeds_seen:
            return
        self._feeds_seen.add(url)
        body = await self._get(url)
        if body is None:
            return
        try:
            found, skipped = await asyncio.to_thread(parse_feed_with_errors, body, url, self.site.name)
        except (FeedError, UnsafeXmlError) as error:
            self.error(url, str(error))
            return
        self.found.extend(found)
        self.skipped(url, skipped)

    async def sitemap(self, url: str, depth: int = 0) -> None:
        if url in self._sitemaps_seen:
            return
        if len(self._sitemaps_seen) >= MAX_SITEMAPS_PER_SITE:
            self.error(url, f"skipped: more than {MAX_SITEMAPS_PER_SITE} sitemaps for one site")
            return
        self._sitemaps_seen.add(url)
        body = await self._get(url)
        if body is None:
            return
        try:
            parsed = await asyncio.to_thread(parse_sitemap, body, url, self.site.name)
        except (SitemapError, UnsafeXmlError) as error:
            self.error(url, str(error))
            return
        self.found.extend(parsed.urls)
        self.skipped(url, parsed.errors)
        if not parsed.sitemaps:
            return
        if depth >= MAX_INDEX_DEPTH:
            self.error(url, f"sitemap index nested deeper than {MAX_INDEX_DEPTH}; children skipped")
            return
        children = _newest_first([
            child for child in parsed.sitemaps
            if self.since is None or child.lastmod is None or child.lastmod >= self.since
        ])  # fmt: skip
        room = max(0, MAX_SITEMAPS_PER_SITE - len(self._sitemaps_seen))
        if len(children) > room:
            self.error(url, f"{len(children) - room} older child sitemaps skipped: at most "
                            f"{MAX_SITEMAPS_PER_SITE} sitemaps are read per site")  # fmt: skip
        await asyncio.gather(*(self.sitemap(child.url, depth + 1) for child in children[:room]))

    async def robots_sitemaps(self, origin_url: str) -> None:
        rules = await self.fetcher.robots_for(origin_url, self.site)
        children = []
        for listed in rules.sitemaps:
            try:
                children.append(canonicalize_url(listed, base=origin_url))
            except InvalidUrlError as error:
                self.error(f"{rules.origin}/robots.txt", f"sitemap skipped: {error}")
        await asyncio.gather(*(self.sitemap(child) for child in children))

    async def homepage(self, url: str) -> None:
        body = await self._get(url)
        if body is not None:
            await asyncio.gather(*(self.feed(link) for link in feed_links(body, url)))

    def url_list(self) -> None:
        for listed in self.site.urls:
            try:
                url = canonicalize_url(listed)
            except InvalidUrlError as error:
                self.error(URL_LIST_SOURCE, str(error))
                continue
            self.found.append(DiscoveredUrl(url=url, site=self.site.name, source_kind="url_list",
                                            source_url=URL_LIST_SOURCE))  # fmt: skip

    async def run(self) -> None:
        site = self.site
        self.url_list()
        sources: list[Awaitable[None]] = []
        for listed in site.feeds:
            sources.append(self.feed(_canonical_or_same(listed)))
        for listed in site.sitemaps:
            sources.append(self.sitemap(_canonical_or_same(listed)))
        if site.homepage:
            sources.append(self.homepage(_canonical_or_same(site.homepage)))
        origins = {
            origin_of(url)
            for url in [*site.feeds, *site.sitemaps, *([site.homepage] if site.homepage else [])]
        }
        sources.extend(self.robots_sitemaps(origin + "/") for origin in sorted(origins))
        await asyncio.gather(*sources)


def _canonical_or_same(url: str) -> str:
    try:
        return canonicalize_url(url)
    except InvalidUrlError:
        return url  # the fetch reports it as invalid_url


def _newest_first(children: list[ChildSitemap]) -> list[ChildSitemap]:
    dated = sorted(
        (child for child in children if child.lastmod), key=lambda child: child.lastmod, reverse=True
    )  # type: ignore[arg-type, return-value]
    return dated + [child for child in children if not child.lastmod]


async def _discover_all(
    sites: SitesFile, settings: FetchSettings, since: datetime | None
) -> tuple[list[DiscoveredUrl], list[DiscoveryError]]:
    async with Fetcher(settings) as fetcher:
        runs = [_SiteDiscovery(fetcher, site, since) for site in sites.sites]
        await asyncio.gather(*(run.run() for run in runs))
    return [row for run in runs for row in run.found], [error for run in runs for error in run.errors]


def discovery_failed_everywhere(
    sites: SitesFile, found: list[DiscoveredUrl], errors: list[DiscoveryError]
) -> bool:
    """True when no URL came from anywhere and every site has a failed source: a day with nothing to go on
    (the network down, a typo in every address), as opposed to sites that merely announced nothing new."""
    return not found and {error.site for error in errors} >= {site.name for site in sites.sites}


def discover(
    sites: SitesFile, *, settings: FetchSettings | None = None, since: datetime | None = None
) -> tuple[list[DiscoveredUrl], list[DiscoveryError]]:
    """Every URL every site announces, one row per (URL, source), and one error per source that failed.

    With `since` (UTC), the children of a sitemap index last modified before it are not fetched: a news site's
    index reaches back years, and its old sitemaps hold no new articles. Undated children are always fetched.
    """
    return run_sync(_discover_all(sites, settings or FetchSettings.from_sites(sites), since))
