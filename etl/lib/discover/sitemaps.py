"""Article URLs from sitemaps, news sitemaps and sitemap indexes (XML, gzip-compressed or plain text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element

from etl.lib.discover.safexml import XmlSyntaxError, local_name, parse_w3c_datetime, parse_xml
from etl.lib.fetch import BodyTooLargeError, BoundedDecoder, ContentDecodingError
from etl.lib.records import DiscoveredUrl
from etl.lib.urls import InvalidUrlError, canonicalize_url

# The sitemap protocol caps a sitemap at 50 MB uncompressed.
MAX_SITEMAP_BYTES = 64 * 1024 * 1024


class SitemapError(ValueError):
    """The document is not a sitemap that can be read; the message is one line."""


@dataclass
class ChildSitemap:
    """One `<sitemap>` entry of a sitemap index."""

    url: str
    lastmod: datetime | None = None


@dataclass
class Sitemap:
    """What one sitemap document lists: article URLs, or (for an index) further sitemaps."""

    urls: list[DiscoveredUrl] = field(default_factory=list)
    sitemaps: list[ChildSitemap] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per entry that had to be skipped


def gunzip_if_compressed(body: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """`sitemap.xml.gz` is served gzip bytes without a Content-Encoding; inflate it, never beyond `limit`."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        decoder = BoundedDecoder("gzip", limit)
        inflated = decoder.feed(body)
        decoder.finish()
        return inflated
    except (BodyTooLargeError, ContentDecodingError) as error:
        raise SitemapError(f"gzip sitemap: {error}") from None


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if local_name(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if local_name(child.tag) == name), None)


def parse_sitemap(body: bytes, source_url: str, site: str = "") -> Sitemap:
    """Parse a sitemap, news sitemap or sitemap index; raises `SitemapError` or `UnsafeXmlError`."""
    body = gunzip_if_compressed(body)
    result = Sitemap()
    if not body.lstrip().startswith(b"<"):
        # The protocol also allows a plain text file with one URL per line.
        for line in body.decode("utf-8", "replace").splitlines():
            if line.strip():
                _add_url(result, line, source_url, site, kind="sitemap")
        return result
    try:
        root = parse_xml(body)
    except XmlSyntaxError as error:
        raise SitemapError(str(error)) from None
    root_name = local_name(root.tag)
    if root_name == "sitemapindex":
        for entry in root:
            if local_name(entry.tag) != "sitemap":
                continue
            try:
                url = canonicalize_url(_child_text(entry, "loc") or "", base=source_url)
            except InvalidUrlError as error:
                result.errors.append(str(error))
                continue
            result.sitemaps.append(ChildSitemap(url, parse_w3c_datetime(_child_text(entry, "lastmod"))))
        return result
    if root_name != "urlset":
        raise SitemapError(f"not a sitemap: root element is <{root_name}>")
    for entry in root:
        if local_name(entry.tag) != "url":
            continue
        news = _child(entry, "news")
        keywords = (_child_text(news, "keywords") or "") if news is not None else ""
        _add_url(
            result, _child_text(entry, "loc") or "", source_url, site,
            kind="news_sitemap" if news is not None else "sitemap",
            title=_child_text(news, "title") if news is not None else None,
            published=parse_w3c_datetime(_child_text(news, "publication_date")) if news is not None else None,
            lastmod=parse_w3c_datetime(_child_text(entry, "lastmod")),
            keywords=[word.strip() for word in keywords.split(",") if word.strip()],
        )  # fmt: skip
    return result


def _add_url(
    result: Sitemap, loc: str, source_url: str, site: str, *, kind: str, title: str | None = None,
    published: datetime | None = None, lastmod: datetime | None = None, keywords: list[str] | None = None,
) -> None:  # fmt: skip
    try:
        url = canonicalize_url(loc.strip(), base=source_url)
    except InvalidUrlError as error:
        result.errors.append(str(error))
        return
    result.urls.append(
        DiscoveredUrl(
            url=url,
            site=site,
            source_kind=kind,
            source_url=source_url,
            title=title,
            published_at=published,
            lastmod=lastmod,
            keywords=keywords or [],
        )
    )
