"""Silent sites: a site that announced pages the day before and none on the day.

A site that is down, blocks the crawler or moves its feeds fails no fetch (nothing is fetched) and quarantines
no row (nothing is extracted): the day simply has fewer articles. Comparing each site's announced URLs with its
previous day turns that silence into a failing check that names the site.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SilentSite:
    site: str
    announced_before: int
    reason: str | None  # the first discovery error of the day, when there was one

    def __str__(self) -> str:
        why = f": {self.reason}" if self.reason else " (its sources were read but listed nothing)"
        return f"site {self.site} announced {self.announced_before} URLs the day before and none today{why}"


def silent_sites(
    announced: dict[str, tuple[int, int]], configured: list[str], errors: dict[str, str]
) -> list[SilentSite]:
    """Sites of the sites file with URLs the day before and none on the day.

    `announced` maps a site to its distinct URLs (the day before, the day); `errors` a site to its first
    discovery error of the day. A site new to the sites file, or one that was quiet already, is not flagged.
    """
    return [
        SilentSite(site, before, errors.get(site))
        for site in configured
        for before, today in [announced.get(site, (0, 0))]
        if before > 0 and today == 0
    ]
