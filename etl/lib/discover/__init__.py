"""Discover: in, a site's entry in the sites file; out, `DiscoveredUrl` rows (one per URL and source) and a
`DiscoveryError` for each source that could not be read. Feeds and sitemaps are fetched through `etl.lib.fetch`.
"""

from etl.lib.discover.discovery import DiscoveryError, discover, discovery_failed_everywhere

__all__ = ["DiscoveryError", "discover", "discovery_failed_everywhere"]
