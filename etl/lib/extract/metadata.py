"""Article metadata from JSON-LD, OpenGraph, meta tags and trafilatura, each field with its source.

Precedence, per field, first non-empty wins: JSON-LD > OpenGraph > meta tags > trafilatura. JSON-LD is the
publisher's structured statement about this article (headline without the " | Site" suffix, ISO dates,
author objects); OpenGraph is written for social cards and often carries the site suffix or the section as
"author"; plain meta tags are older and looser; trafilatura's own heuristics read the visible page and are
the fallback. Titles are the exception: trafilatura cleans `<title>` suffixes better than raw meta tags, so
it comes before them. Authors never come from trafilatura's visible-page heuristics when a structured
source names them, so a byline in a related-articles card cannot become the article's author.

A value no article can have counts as absent, so the next source fills the field: a date before 1990 or after
the fetch (`etl.lib.plausible`), a title that is only the site's name, a canonical URL that cannot be this
page's identity (`etl.lib.extract.canonical`). Each value set aside is kept as a `RejectedValue` with its rule.
And a date without a time gives way to a date with a time for the same day from a later source: a page may
print the time only in its visible dateline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from etl.lib.extract.canonical import canonical_rejection
from etl.lib.extract.dom import normalized_label
from etl.lib.extract.language import language_code
from etl.lib.plausible import time_rejection
from etl.lib.records import RejectedValue

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


_DATE_FIELDS = ("published_at", "modified_at")


@dataclass(slots=True)
class PageMetadata:
    """The metadata fields and where each came from, judged against the page they were read from."""

    page_url: str = ""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    rejected: list[RejectedValue] = field(default_factory=list)  # values set aside as impossible
    site_names: set[str] = field(default_factory=set)  # the site's names as the page prints them, compared
    jsonld_images: list[JsonLdImage] = field(default_factory=list)  # the article's own `image`
    jsonld_image_objects: list[JsonLdImage] = field(default_factory=list)  # other ImageObjects on the page
    og_images: list[str] = field(default_factory=list)

    def lead_image_urls(self) -> list[str]:
        """What the page names as its main picture: og:image and the article's first JSON-LD image."""
        return self.og_images + [image.url for image in self.jsonld_images[:1]]

    def offer(self, name: str, value: Any, source: str) -> None:
        """Set `name` unless a higher-precedence source already set it (or the value is impossible: then it
        is kept in `rejected` and the field stays open for the next source)."""
        if value in (None, "", []):
            return
        if name in self.values and not (name in _DATE_FIELDS and self._adds_time(name, value)):
            return
        rule = self._rejection(name, value)
        if rule is not None:
            # trafilatura repeats what the page's tags say: a value is kept once, with the source that printed it
            if not any(kept.field == name and kept.value == str(value) for kept in self.rejected):
                self.rejected.append(RejectedValue(field=name, value=str(value), source=source, rule=rule))
            return
        self.values[name] = value
        self.sources[name] = source

    def _rejection(self, name: str, value: Any) -> str | None:
        if name in _DATE_FIELDS:
            moment = read_moment(value)
            return time_rejection(moment.value, self.fetched_at) if moment is not None else None
        if name == "title":
            host = (urlsplit(self.page_url).hostname or "").removeprefix("www.")
            names = (self.site_names | {_compared(host)}) - {""}
            return "title_is_site_name" if _compared(value) in names else None
        if name == "canonical_url":
            return canonical_rejection(self.page_url, value)
        return None

    def _adds_time(self, name: str, value: Any) -> bool:
        """`value` gives the time of the day the field holds without one."""
        held, offered = read_moment(self.values[name]), read_moment(value)
        return (
            held is not None
            and offered is not None
            and not held.has_time
            and offered.has_time
            and held.day == offered.day
        )


def read_structured_metadata(tree: HtmlElement, url: str, fetched_at: datetime | None = None) -> PageMetadata:
    """Read JSON-LD, OpenGraph and meta tags (in that precedence) from the page fetched from `url` at
    `fetched_at` (default: now), which the values are judged against."""
    meta = PageMetadata(page_url=url, fetched_at=fetched_at or datetime.now(UTC))
    article = _jsonld_article(tree)
    meta.site_names = _site_names(tree, article)
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
    for key in _DATE_KEYS:  # in order: an impossible date leaves the field to the next tag
        meta.offer("published_at", first.get(key), source)
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


def _site_names(tree: HtmlElement, article: dict[str, Any] | None) -> set[str]:
    """The names the page gives its site (og:site_name, the JSON-LD publisher), compared. Not the meta tag
    `application-name`: some CMSs print the article's headline there."""
    names = {_compared(value) for key, value in _meta_pairs(tree) if key == "og:site_name"}
    publisher = (article or {}).get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict):
        names.add(_compared(_text(publisher.get("name"))))
    return names - {""}


_NOT_LETTERS = re.compile(r"[\W_]+")


def _compared(text: str | None) -> str:
    """Letters and digits only, case folded: "Al-Akhbar |" and "al akhbar" compare equal."""
    return _NOT_LETTERS.sub(" ", (text or "").casefold()).strip()


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
    return language_code(_text(value))


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


_CLOCK = re.compile(
    r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\d:])\s*(a\.?m\.?|p\.?m\.?|صباحا|مساء|ص|م)?(?!\w)"
)
_PM = ("pm", "p.m.", "p.m", "مساء", "م")
_AM = ("am", "a.m.", "a.m", "صباحا", "ص")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# MySQL's zero date, which some CMSs print for "no date": no calendar day, but certainly no publication date.
_ZERO_DATE = re.compile(r"^0{4}-0{1,2}-0{1,2}")
# A date in an article's address: /2024/10/28/, /2024-10-28-, /20241028/.
_URL_DATE = re.compile(r"/((?:19|20)\d{2})(?:/|-)?(0[1-9]|1[0-2])(?:/|-)?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)")


@dataclass(frozen=True, slots=True)
class Moment:
    """A date as a page prints it: a `date`, or a `datetime` when a time is printed too."""

    value: date | datetime

    @property
    def day(self) -> date:
        return self.value.date() if isinstance(self.value, datetime) else self.value

    @property
    def has_time(self) -> bool:
        # CMSs that keep only the day print it at midnight ("2024-10-28T00:00:00Z"): that is no time.
        return isinstance(self.value, datetime) and (self.value.hour, self.value.minute) != (0, 0)


def read_moment(text: Any) -> Moment | None:
    """Read a date as pages print it: ISO 8601 with or without a time, or a day, a month (name or number) and a
    four-digit year with an optional time beside it ("14:19-28 أكتوبر 2024", "October 28, 2024 10:30 PM").
    None when no date can be read; then nothing can be said against it either."""
    text = str(text).strip()
    if _ZERO_DATE.match(text):
        return Moment(date.min)
    try:
        if _ISO_DAY.match(text):
            return Moment(date.fromisoformat(text))
        return Moment(datetime.fromisoformat(text))
    except ValueError:
        pass
    text = normalized_label(text.translate(_ARABIC_DIGITS))
    day = _read_day(text)
    if day is None:
        return None
    clock = _CLOCK.search(text)
    if clock is None:
        return Moment(day)
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
    marker = clock.group(4)
    if marker in _PM and hour < 12:
        hour += 12
    elif marker in _AM and hour == 12:
        hour = 0
    return Moment(datetime(day.year, day.month, day.day, hour, minute, second))


def url_date(url: str) -> str | None:
    """The day an article's address names (`/2024/10/28/`), as YYYY-MM-DD."""
    match = _URL_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    day = _day(*match.groups())
    return day.isoformat() if day else None


@dataclass(slots=True)
class PrintedDate:
    """A date printed on the page, with its time when printed; `readable_by_htmldate` is False for month names
    htmldate does not know."""

    date: str
    readable_by_htmldate: bool


def printed_date(tree: HtmlElement) -> PrintedDate | None:
    """The date printed in a <time> or date-classed element ("الخميس 13 يونيو 2024") above the article text,
    as ISO 8601; dates further down belong to comments, updates or teasers."""
    for element in tree.iter("time", "span", "div", "p", "li"):
        if element.tag == "p" and len(element.text_content()) >= 100:
            return None
        if element.tag == "time":
            text = element.get("datetime") or ""
            found = read_moment(text) if text else None
            if found is None:
                text = element.text_content()
                found = read_moment(text)
        elif _DATE_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}".lower()):
            text = element.text_content()[:200]
            found = read_moment(text)
        else:
            continue
        if found is not None and found.day != date.min:
            return PrintedDate(
                date=found.value.isoformat(), readable_by_htmldate=not _NON_LATIN_LETTER.search(text)
            )
    return None


_NON_LATIN_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")


def _read_day(text: str) -> date | None:
    """The first day-month-year in normalized text."""
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        match = pattern.search(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            return _day(parts["y"], _MONTHS[parts["m"]], parts["d"])
    match = _NUMERIC.search(text)
    if match:
        if match.group(1):
            return _day(match.group(1), match.group(2), match.group(3))
        return _day(match.group(6), match.group(5), match.group(4))
    return None


def _day(year: str | int, month: str | int, day: str | int) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
