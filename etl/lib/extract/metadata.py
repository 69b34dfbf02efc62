"""Article metadata from JSON-LD, OpenGraph, meta tags and trafilatura, each field with its source.

Precedence, per field, first non-empty wins: JSON-LD > OpenGraph > meta tags > trafilatura. JSON-LD is the
publisher's structured statement about this article (headline without the " | Site" suffix, ISO dates,
author objects); OpenGraph is written for social cards and often carries the site suffix or the section as
"author"; plain meta tags are older and looser; trafilatura's own heuristics read the visible page and are
the fallback. Titles are the exception: trafilatura cleans `<title>` suffixes better than raw meta tags, so
it comes before them. Authors never come from trafilatura's visible-page heuristics when a structured
source names them, so a byline in a related-articles card cannot become the article's author.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from etl.lib.extract.dom import normalized_label

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "webpage",
}
_WHITESPACE = re.compile(r"\s+")


@dataclass(slots=True)
class JsonLdImage:
    """An image the JSON-LD names, with its caption when given."""

    url: str
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(slots=True)
class PageMetadata:
    """The metadata fields and where each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    jsonld_images: list[JsonLdImage] = field(default_factory=list)  # the article's own `image`
    jsonld_image_objects: list[JsonLdImage] = field(default_factory=list)  # other ImageObjects on the page
    og_images: list[str] = field(default_factory=list)

    def lead_image_urls(self) -> list[str]:
        """What the page names as its main picture: og:image and the article's first JSON-LD image."""
        return self.og_images + [image.url for image in self.jsonld_images[:1]]

    def offer(self, name: str, value: Any, source: str) -> None:
        """Set `name` unless a higher-precedence source already set it."""
        if name in self.values or value in (None, "", []):
            return
        self.values[name] = value
        self.sources[name] = source


def read_structured_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Read JSON-LD, OpenGraph and meta tags (in that precedence) from the page."""
    meta = PageMetadata()
    article = _jsonld_article(tree)
    if article is not None:
        _offer_jsonld(meta, article, url)
    # ImageObjects printed beside their pictures (not inside the article object) still caption them.
    listed = {image.url for image in meta.jsonld_images}
    for obj in jsonld_objects(tree):
        if "imageobject" in _types(obj):
            for image in _jsonld_images(obj, url):
                if image.url not in listed:
                    listed.add(image.url)
                    meta.jsonld_image_objects.append(image)
    _offer_opengraph(meta, tree, url)
    _offer_meta_tags(meta, tree, url)
    return meta


def offer_trafilatura(meta: PageMetadata, document: Any) -> None:
    """Fill what structured metadata left empty from trafilatura's Document."""
    if document is None:
        return
    meta.offer("title", _text(getattr(document, "title", None)), "trafilatura")
    meta.offer("description", _text(getattr(document, "description", None)), "trafilatura")
    author = _text(getattr(document, "author", None))
    if author:
        meta.offer("authors", [a.strip() for a in author.split(";") if a.strip()], "trafilatura")
    meta.offer("published_at", _text(getattr(document, "date", None)), "trafilatura")
    meta.offer("site_name", _text(getattr(document, "sitename", None)), "trafilatura")
    meta.offer("canonical_url", _text(getattr(document, "url", None)), "trafilatura")
    categories = getattr(document, "categories", None) or []
    if categories:
        meta.offer("section", _text(categories[0]), "trafilatura")
    meta.offer("tags", [t for t in (getattr(document, "tags", None) or []) if t], "trafilatura")


# ---------------------------------------------------------------- JSON-LD


def jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, `@graph` and lists flattened."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        yield from _flatten(data, depth=0)


def _flatten(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if isinstance(graph, (list, dict)):
            yield from _flatten(graph, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def _jsonld_article(tree: HtmlElement) -> dict[str, Any] | None:
    best: tuple[int, dict[str, Any]] | None = None
    for obj in jsonld_objects(tree):
        types = _types(obj)
        if not types & _ARTICLE_TYPES:
            continue
        # A NewsArticle beats a generic WebPage; a headline beats none.
        score = (0 if types <= {"webpage"} else 2) + (1 if obj.get("headline") else 0)
        if best is None or score > best[0]:
            best = (score, obj)
    return best[1] if best else None


def _offer_jsonld(meta: PageMetadata, article: dict[str, Any], url: str) -> None:
    source = "jsonld"
    meta.offer("title", _text(article.get("headline")) or _text(article.get("name")), source)
    meta.offer("description", _text(article.get("description")), source)
    meta.offer("authors", _names(article.get("author")), source)
    meta.offer("published_at", _text(article.get("datePublished")), source)
    meta.offer("modified_at", _text(article.get("dateModified")), source)
    publisher = article.get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict):
        meta.offer("site_name", _text(publisher.get("name")), source)
    meta.offer("language", _language(article.get("inLanguage")), source)
    section = article.get("articleSection")
    if isinstance(section, list):
        section = next((s for s in section if isinstance(s, str) and s.strip()), None)
    meta.offer("section", _text(section), source)
    meta.offer("tags", _keywords(article.get("keywords")), source)
    entity = article.get("mainEntityOfPage")
    if isinstance(entity, dict):
        entity = entity.get("@id") or entity.get("url")
    canonical = _text(article.get("url")) or (_text(entity) if isinstance(entity, str) else None)
    if canonical and canonical.startswith(("http://", "https://", "/")):
        meta.offer("canonical_url", urljoin(url, canonical), source)
    meta.jsonld_images = list(_jsonld_images(article.get("image"), url)) + list(
        _jsonld_images(article.get("associatedMedia"), url)
    )


def _jsonld_images(value: Any, url: str, depth: int = 0) -> Iterator[JsonLdImage]:
    if depth > 3 or value is None:
        return
    if isinstance(value, list):
        for item in value[:50]:
            yield from _jsonld_images(item, url, depth + 1)
    elif isinstance(value, str) and value.strip():
        yield JsonLdImage(url=urljoin(url, value.strip()))
    elif isinstance(value, dict):
        target = value.get("url") or value.get("contentUrl")
        if isinstance(target, list):
            target = target[0] if target else None
        if isinstance(target, str) and target.strip():
            credit = _text(value.get("creditText")) or _joined_names(value.get("copyrightHolder"))
            credit = credit or _joined_names(value.get("author")) or _joined_names(value.get("creator"))
            yield JsonLdImage(
                url=urljoin(url, target.strip()),
                caption=_text(value.get("caption")) or _text(value.get("description")),
                credit=credit,
                width=_int(value.get("width")),
                height=_int(value.get("height")),
            )


# ---------------------------------------------------------------- OpenGraph and meta tags


def _meta_pairs(tree: HtmlElement) -> Iterator[tuple[str, str]]:
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        value = element.get("content")
        if key and value and value.strip():
            yield key.strip().lower(), " ".join(value.split())


def _offer_opengraph(meta: PageMetadata, tree: HtmlElement, url: str) -> None:
    source = "opengraph"
    pairs = list(_meta_pairs(tree))
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)
    meta.offer("title", first.get("og:title"), source)
    meta.offer("description", first.get("og:description"), source)
    meta.offer("site_name", first.get("og:site_name"), source)
    meta.offer("published_at", first.get("article:published_time"), source)
    meta.offer("modified_at", first.get("article:modified_time") or first.get("og:updated_time"), source)
    meta.offer("section", first.get("article:section"), source)
    meta.offer("tags", [v for k, v in pairs if k == "article:tag"], source)
    authors = [v for k, v in pairs if k == "article:author" and not v.startswith(("http://", "https://"))]
    meta.offer("authors", authors, source)
    meta.offer("language", _language(first.get("og:locale")), source)
    og_url = first.get("og:url")
    if og_url and og_url.startswith(("http://", "https://", "/")):
        meta.offer("canonical_url", urljoin(url, og_url), source)
    meta.og_images = [
        urljoin(url, v) for k, v in pairs if k in ("og:image", "og:image:url", "og:image:secure_url")
    ]


_DATE_KEYS = (
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "citation_publication_date",
    "og:pubdate",
)


def _offer_meta_tags(meta: PageMetadata, tree: HtmlElement, url: str) -> None:
    source = "meta"
    first: dict[str, str] = {}
    for key, value in _meta_pairs(tree):
        first.setdefault(key, value)
    meta.offer("description", first.get("description") or first.get("dc.description"), source)
    author = first.get("author") or first.get("parsely-author") or first.get("dc.creator")
    if author and not author.startswith(("http://", "https://")):
        meta.offer("authors", [a.strip() for a in re.split(r"\s*[;|]\s*", author) if a.strip()], source)
    meta.offer("published_at", next((first[k] for k in _DATE_KEYS if k in first), None), source)
    meta.offer("modified_at", first.get("datemodified") or first.get("last-modified"), source)
    meta.offer("section", first.get("parsely-section") or first.get("section"), source)
    meta.offer("tags", _keywords(first.get("news_keywords") or first.get("keywords")), source)
    meta.offer("site_name", first.get("application-name"), source)
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            meta.offer("canonical_url", urljoin(url, link.get("href").strip()), source)
            break
    root = tree.getroottree().getroot()
    meta.offer("language", _language(root.get("lang") or root.get("xml:lang")), source)


def page_title(tree: HtmlElement) -> str | None:
    """The `<title>` element's text, the last resort for a title."""
    for element in tree.iter("title"):
        return _text(element.text_content())
    return None


# ---------------------------------------------------------------- values


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = _WHITESPACE.sub(" ", value).strip()
    return value or None


def _int(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("value")
    try:
        number = int(float(str(value).replace("px", "")))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 100_000 else None


def _names(value: Any, depth: int = 0) -> list[str]:
    if depth > 3 or value is None:
        return []
    if isinstance(value, list):
        names: list[str] = []
        for item in value[:30]:
            for name in _names(item, depth + 1):
                if name not in names:
                    names.append(name)
        return names
    if isinstance(value, dict):
        name = _text(value.get("name")) or _text(
            " ".join(str(value.get(part) or "") for part in ("givenName", "familyName"))
        )
        return [name] if name and not name.startswith(("http://", "https://")) else []
    name = _text(value)
    if not name or name.startswith(("http://", "https://")):
        return []
    return [
        part.strip() for part in re.split(r"\s*(?:;|\||,\s*and\s+| and | und | و )\s*", name) if part.strip()
    ]


def _joined_names(value: Any) -> str | None:
    names = _names(value)
    return ", ".join(names) if names else None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        items = [_text(v) for v in value]
    elif isinstance(value, str):
        items = [_text(v) for v in re.split(r"[,،;]", value)]
    else:
        return []
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    text = _text(value)
    if not text:
        return None
    primary = re.split(r"[-_]", text)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


# ---------------------------------------------------------------- a date printed on the page

_MONTHS = {
    # Arabic (Egyptian/Gulf and Levantine names), English, German, French; normalized_label() spellings
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7, "اغسطس": 8,
    "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12, "كانون الثاني": 1, "شباط": 2, "اذار": 3,
    "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10,
    "تشرين الثاني": 11, "كانون الاول": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "januar": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})(?!\d)")
_MONTH_DAY_YEAR = re.compile(rf"(?<![\w])({_MONTH_NAMES})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)|(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|timestamp")


@dataclass(slots=True)
class PrintedDate:
    """A date printed on the page; `readable_by_htmldate` is False for month names htmldate does not know."""

    date: str
    readable_by_htmldate: bool


def printed_date(tree: HtmlElement) -> PrintedDate | None:
    """The date printed in a <time> or date-classed element ("الخميس 13 يونيو 2024") above the article text,
    as YYYY-MM-DD; dates further down belong to comments, updates or teasers."""
    for element in tree.iter("time", "span", "div", "p", "li"):
        if element.tag == "p" and len(element.text_content()) >= 100:
            return None
        if element.tag == "time":
            text = element.get("datetime") or ""
            found = _parse_date(text)
            if not found:
                text = element.text_content()
                found = _parse_date(text)
        elif _DATE_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}".lower()):
            text = element.text_content()[:200]
            found = _parse_date(text)
        else:
            continue
        if found:
            return PrintedDate(date=found, readable_by_htmldate=not _NON_LATIN_LETTER.search(text))
    return None


_NON_LATIN_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")


def _parse_date(text: str) -> str | None:
    text = normalized_label(text.translate(_ARABIC_DIGITS))
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        match = pattern.search(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            return _iso(parts["y"], _MONTHS[parts["m"]], parts["d"])
    match = _NUMERIC.search(text)
    if match:
        if match.group(1):
            return _iso(match.group(1), match.group(2), match.group(3))
        return _iso(match.group(6), match.group(5), match.group(4))
    return None


def _iso(year: str | int, month: str | int, day: str | int) -> str | None:
    try:
        return datetime(int(year), int(month), int(day)).date().isoformat()
    except ValueError:
        return None
