"""How fetching behaves: timeouts, caps, retries, politeness defaults and the private-network switch."""

from __future__ import annotations

from dataclasses import dataclass

from etl.lib.sites import SitesFile


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
