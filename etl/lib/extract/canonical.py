"""Whether a canonical URL a page declares (`<link rel=canonical>`, `og:url`, JSON-LD `url`) can be its identity.

A CMS slip, such as a template that prints the home page or the section page as every article's canonical,
would merge distinct articles under one id: two real articles would vanish. So a declared canonical is a
possible value only when it is an http(s) URL that can name one article: not a site's root or a language root
(`/`, `/en/`, `/index.html`), and not a listing page: an ancestor of the page's own path (`/world/asia/` for
`/world/asia/5077-kim`), or a short section name (`/politics`) for a page whose own path names an article. An
alternate view of the same article stays plausible: the AMP or print copy (`/story/amp`) or a later page of it
(`/story/2`) declaring the regular page.

The rules lean towards refusing: a refused canonical only costs a duplicate the fetched URL cannot collapse,
while a wrongly trusted one merges articles. A canonical on another site is possible (a syndicated copy naming
its original) but does not identify this copy, and whether pages of different content share one canonical is a
question about the whole batch and the warehouse: both are decided at normalization (`etl.lib.normalize.identity`).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# What a URL path holds after the regular page's own path on an alternate view of that page.
_ALTERNATE_VIEW_SEGMENT = re.compile(
    r"^(?:amp|amp\.html?|print|mobile|m|full|all|single|index\.\w{2,5}|\d{1,3})$"
)
# Home pages under a name: `/index.html`, `/home`, a language root (`/ar`, `/en-us`).
_HOME_SEGMENT = re.compile(r"^(?:index\.\w{2,5}|default\.\w{2,5}|home|homepage|[a-z]{2}(?:[-_][a-z]{2})?)$")
# A path segment that names one article: a long number (an id) or a slug of three words or more.
_ARTICLE_DIGITS = re.compile(r"\d{4,}")
_WORD_SEPARATORS = re.compile(r"[-_.+]+")
_SECTION_WORDS = 2


def canonical_rejection(page_url: str, canonical: str) -> str | None:
    """Why `canonical` cannot identify the page fetched from `page_url` (a rule name), or None when it can."""
    try:
        declared, page = urlsplit(canonical.strip()), urlsplit(page_url.strip())
        declared_host = declared.hostname
    except ValueError:
        return "canonical_not_a_url"
    if declared.scheme.lower() not in ("http", "https") or not declared_host:
        return "canonical_not_a_url"
    declared_path, page_path = _segments(declared.path), _segments(page.path)
    if declared_path == page_path and declared.query == page.query:
        return None  # the page names itself
    if not declared.query and (
        not declared_path or (len(declared_path) == 1 and _HOME_SEGMENT.match(declared_path[0].lower()))
    ):
        return "canonical_is_site_root"
    if _is_listing(declared_path, page_path) and not declared.query:
        return "canonical_is_listing_page"
    return None


def _segments(path: str) -> list[str]:
    # decoded: a page prints its canonical with raw Arabic letters, the fetched URL is percent-encoded
    return [segment for segment in unquote(path).split("/") if segment.strip()]


def _is_listing(declared: list[str], page: list[str]) -> bool:
    """The declared path lists articles rather than being one: an ancestor of the page's path that drops the
    article's own segment, or a short section name while the page's path names an article."""
    if len(declared) < len(page) and page[: len(declared)] == declared:
        return not all(_ALTERNATE_VIEW_SEGMENT.match(segment.lower()) for segment in page[len(declared) :])
    return (
        len(declared) <= 2
        and all(_is_section_name(segment) for segment in declared)
        and any(_names_article(segment) for segment in page)
    )


def _is_section_name(segment: str) -> bool:
    words = [word for word in _WORD_SEPARATORS.split(segment) if word]
    return len(words) <= _SECTION_WORDS and not any(char.isdigit() for char in segment)


def _names_article(segment: str) -> bool:
    words = [word for word in _WORD_SEPARATORS.split(segment) if word]
    return bool(_ARTICLE_DIGITS.search(segment)) or len(words) > _SECTION_WORDS
