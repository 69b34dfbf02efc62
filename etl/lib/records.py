"""The records that pass between pipeline stages.

Stages hand each other these plain dataclasses inside one asset; between assets they travel as DuckDB rows, so
every field is a scalar, a list of strings or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class DiscoveredUrl:
    """One article URL as one source announced it; the same URL from two sources is two rows."""

    url: str  # canonical form (see etl.lib.urls.canonicalize_url)
    site: str
    source_kind: str  # feed | sitemap | news_sitemap | url_list | homepage
    source_url: str  # the feed or sitemap that listed it
    title: str | None = None
    published_at: datetime | None = None  # UTC, when the source gave one
    lastmod: datetime | None = None  # UTC
    keywords: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FetchRequest:
    """A page to fetch, with the validators of its last successful fetch for a conditional GET."""

    url: str
    site: str
    etag: str | None = None
    last_modified: str | None = None
    previous_content_hash: str | None = None


@dataclass(slots=True)
class FetchAttempt:
    """One HTTP attempt; the last attempt for a URL carries the page's outcome."""

    url: str
    site: str
    attempt: int  # 1-based
    outcome: str  # one of schema.FETCH_OUTCOMES
    fetched_at: datetime  # UTC
    final_url: str | None = None  # after redirects, canonicalized
    status: int | None = None
    content_type: str | None = None
    encoding: str | None = None  # the charset the body decodes with (header, meta or detected)
    bytes_received: int = 0  # on the wire
    bytes_decoded: int = 0  # after content decoding
    elapsed_ms: int = 0
    archive_key: str | None = None  # where the raw body lives in the archive
    body_sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # one line saying what went wrong
    is_final: bool = True  # False for attempts that were retried
    unchanged: bool = False  # an ok body whose sha256 equals the request's previous_content_hash


@dataclass(slots=True)
class ExtractedImage:
    """An image of the article's own content, as printed on the page."""

    position: int  # document order among the article's images, from 0
    url: str  # absolute
    alt_text: str | None = None
    caption: str | None = None  # without the credit
    credit_raw: str | None = None  # as printed, without the surrounding brackets
    width: int | None = None
    height: int | None = None
    is_lead: bool = False
    # where the caption and the credit were read (schema.IMAGE_TEXT_SOURCES); None when there is none
    caption_source: str | None = None
    credit_source: str | None = None


@dataclass(slots=True)
class ExtractedRelatedLink:
    """One card of the page's related-articles block."""

    position: int
    url: str  # absolute target
    title: str | None = None
    section: str | None = None
    summary: str | None = None
    image_url: str | None = None
    image_caption: str | None = None  # as printed, credit included
    byline: str | None = None  # as printed, e.g. «الشرق الأوسط» (موسكو)


@dataclass(slots=True)
class RejectedValue:
    """A value the page printed for a field that extraction set aside as impossible (the next source was tried)."""

    field: str  # the ExtractedArticle field, e.g. published_at
    value: str  # as printed
    source: str  # where it was printed: jsonld | opengraph | meta | ...
    rule: str  # why it was set aside, e.g. date_before_1990, canonical_is_site_root


@dataclass(slots=True)
class ExtractedArticle:
    """What the extractor read from one page; `error` is set (and the rest empty) when it could not."""

    url: str
    canonical_url: str | None = None
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None  # as found (ISO 8601 or text); normalization parses it
    modified_at: str | None = None
    site_name: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    body_text: str = ""  # paragraphs joined by "\n"
    images: list[ExtractedImage] = field(default_factory=list)
    related: list[ExtractedRelatedLink] = field(default_factory=list)
    field_sources: dict[str, str] = field(
        default_factory=dict
    )  # field -> jsonld | opengraph | meta | trafilatura | dom | profile
    # values printed on the page but set aside as impossible; the field issues table keeps them
    rejected_values: list[RejectedValue] = field(default_factory=list)
    error: str | None = None
    # "bot_challenge" | "empty_page" when extraction was asked to judge the page first and it is no article
    page_outcome: str | None = None
