"""The bundled sample news site: Arabic article pages, a feed and a sitemap, served on loopback for
`akhbar demo` and the end-to-end tests, with `expected.json` as the ground truth of every page."""

from demo.server import SampleSite, expected, serve_sample_site, sites_yaml

__all__ = ["SampleSite", "expected", "serve_sample_site", "sites_yaml"]
