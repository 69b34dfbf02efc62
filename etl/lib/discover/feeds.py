"""Article URLs from RSS 0.9x/1.0/2.0, Atom and JSON Feed documents, and feed links from homepages."""

from __future__ import annotations

import calendar
import email.utils
import io
import json
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.etree
import lxml.html

from etl.lib.discover.safexml import check_safe, parse_w3c_datetime
from etl.lib.records import DiscoveredUrl
from etl.lib.urls import InvalidUrlError, canonicalize_url

# Link types that announce a feed. Plain application/json is left out: WordPress announces its REST API with it.
ANNOUNCED_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml"}
)


class FeedError(ValueError):
    """The document is not a feed that can be read; the message is one line."""


# Month names feeds print in RFC 822 dates despite the RFC ("Seg, 24 Set 2018"), mapped to English.
_MONTHS = {
    **dict.fromkeys(["jan", "janv", "ene", "gen", "يناير", "كانون الثاني"], "Jan"),
    **dict.fromkeys(["fev", "fév", "févr", "feb", "فبراير", "شباط"], "Feb"),
    **dict.fromkeys(["mar", "mars", "mär", "mrz", "مارس", "آذار"], "Mar"),
    **dict.fromkeys(["abr", "avr", "apr", "أبريل", "ابريل", "نيسان"], "Apr"),
    **dict.fromkeys(["mai", "may", "mag", "مايو", "أيار"], "May"),
    **dict.fromkeys(["jun", "juin", "giu", "يونيو", "حزيران"], "Jun"),
    **dict.fromkeys(["jul", "juil", "lug", "يوليو", "تموز"], "Jul"),
    **dict.fromkeys(["ago", "aoû", "août", "aug", "أغسطس", "اغسطس", "آب"], "Aug"),
    **dict.fromkeys(["set", "sep", "sept", "سبتمبر", "أيلول"], "Sep"),
    **dict.fromkeys(["out", "oct", "okt", "ott", "أكتوبر", "اكتوبر", "تشرين الأول"], "Oct"),
    **dict.fromkeys(["nov", "نوفمبر", "تشرين الثاني"], "Nov"),
    **dict.fromkeys(["dez", "déc", "dec", "dic", "ديسمبر", "كانون الأول"], "Dec"),
}
_ARABIC_INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _struct_to_utc(value: Any) -> datetime | None:
    # feedparser normalizes every date it understands to a UTC struct_time
    return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None


def parse_localized_rfc822(text: str | None) -> datetime | None:
    """An RFC 822 date with its day and month names in another language, in UTC; None if it is not one."""
    if not text:
        return None
    text = " ".join(text.translate(_ARABIC_INDIC_DIGITS).split())
    for name in sorted((name for name in _MONTHS if " " in name), key=len, reverse=True):
        text = text.replace(name, _MONTHS[name])
    tokens = text.split()
    if tokens and tokens[0].endswith(("،", ",")):
        tokens = tokens[1:]  # the weekday, in whatever language
    tokens = [_MONTHS.get(token.lower().rstrip("."), token) for token in tokens]
    try:
        value = email.utils.parsedate_to_datetime(" ".join(tokens))
    except (TypeError, ValueError, IndexError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _entry_date(item: Any, field: str) -> datetime | None:
    return _struct_to_utc(item.get(f"{field}_parsed")) or parse_localized_rfc822(item.get(field))


def _entry(
    link: str | None, source_url: str, site: str, *, title: str | None, published: datetime | None,
    updated: datetime | None, keywords: list[str], errors: list[str],
) -> DiscoveredUrl | None:  # fmt: skip
    try:
        url = canonicalize_url((link or "").strip(), base=source_url)
    except InvalidUrlError as error:
        errors.append(str(error))
        return None
    return DiscoveredUrl(
        url=url, site=site, source_kind="feed", source_url=source_url,
        title=" ".join(title.split()) if title else None, published_at=published, lastmod=updated,
        keywords=[keyword for keyword in (" ".join(k.split()) for k in keywords) if keyword],
    )  # fmt: skip


def _parse_json_feed(body: bytes, source_url: str, site: str, errors: list[str]) -> list[DiscoveredUrl]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FeedError(f"not a JSON feed: {str(error)[:200]}") from None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise FeedError("JSON feed has no 'items' list")
    found = []
    for item in items:
        if not isinstance(item, dict):
            errors.append("JSON feed item is not an object")
            continue
        tags = item.get("tags") if isinstance(item.get("tags"), list) else []
        entry = _entry(
            item.get("url") or item.get("external_url"), source_url, site,
            title=item.get("title") if isinstance(item.get("title"), str) else None,
            published=parse_w3c_datetime(str(item.get("date_published") or "")),
            updated=parse_w3c_datetime(str(item.get("date_modified") or "")),
            keywords=[str(tag) for tag in tags], errors=errors,
        )  # fmt: skip
        if entry is not None:
            found.append(entry)
    return found


def parse_feed_with_errors(
    body: bytes, source_url: str, site: str = ""
) -> tuple[list[DiscoveredUrl], list[str]]:
    """The feed's article URLs, and one line for each entry that had to be skipped.

    Raises `FeedError` (or `UnsafeXmlError`) when the document as a whole cannot be read.
    """
    errors: list[str] = []
    if body.lstrip()[:1] in (b"{", b"["):
        return _parse_json_feed(body, source_url, site, errors), errors
    check_safe(body)  # hostile XML never reaches feedparser, whose parsers would expand entities
    # A stream, not bytes or str: feedparser treats a string as a URL or a file name and would open it.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS, Atom or RDF root element"
        raise FeedError(f"not a feed: {str(reason)[:200]}")
    found = []
    for item in parsed.entries:
        entry = _entry(
            item.get("link") or item.get("id"), source_url, site, title=item.get("title"),
            # RSS 1.0 and many Atom feeds give only dc:date / <updated>: the best publication date there is
            published=_entry_date(item, "published") or _entry_date(item, "updated"), updated=_entry_date(item, "updated"),
            keywords=[tag.get("term") or "" for tag in item.get("tags", [])], errors=errors,
        )  # fmt: skip
        if entry is not None:
            found.append(entry)
    return found, errors


def parse_feed(body: bytes, source_url: str, site: str = "") -> list[DiscoveredUrl]:
    """The article URLs a feed announces, each with the title, dates and keywords it gives."""
    return parse_feed_with_errors(body, source_url, site)[0]


def feed_links(html: bytes, page_url: str) -> list[str]:
    """Feed URLs a homepage announces with `<link rel="alternate" type="application/rss+xml" href=...>`."""
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    links = []
    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in ANNOUNCED_FEED_TYPES:
            try:
                links.append(canonicalize_url(element.get("href") or "", base=page_url))
            except InvalidUrlError:
                continue
    return list(dict.fromkeys(links))
