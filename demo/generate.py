"""Render the sample site (pages, feed, sitemap, homepage, robots.txt) and its ground truth `expected.json`
from `content.py`. Run `python -m demo.generate` after editing the content; the files are committed,
so serving the site never needs this module.

The three page templates differ on purpose, the way real news sites do: semantic HTML5 (`<article>`,
`<figure>`, `<time>`), a legacy div layout with lazy-loaded images, and a layout whose metadata lives only in
JSON-LD. Each page also carries what an extractor must leave out: a logo, a tracking pixel, the "TT" text-size
widget, navigation, related cards with their own photos and bylines, a "most read" list and a footer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

from demo.content import ARTICLES, EXTERNAL_CARDS, ORG, Article, Byline, Card, Photo
from demo.server import BASE_URL_PLACEHOLDER

SITE_DIR = Path(__file__).parent
BASE = BASE_URL_PLACEHOLDER

NAV = [
    ("/", "الرئيسية"),
    ("/arab-world", "العالم العربي"),
    ("/world", "العالم"),
    ("/economy", "الاقتصاد"),
    ("/sport", "الرياضة"),
    ("/culture", "ثقافة وفنون"),
    ("/opinion", "الرأي"),
    ("/misc", "منوعات"),
]
# Navigation labels that never occur inside an article body, so an extractor that keeps the menu is caught.
NAV_EXCLUDES = ["الرئيسية", "ثقافة وفنون", "منوعات"]
FOOTER_LINKS = [("/about", "من نحن"), ("/privacy", "سياسة الخصوصية"), ("/contact", "اتصل بنا")]
COPYRIGHT = "© 2024 الشرق الأوسط. جميع الحقوق محفوظة"
RELATED_HEADING = "مقالات ذات صلة"
MOST_READ_HEADING = "الأكثر قراءة"
MOST_READ = [
    ("japan", None),
    ("g7", None),
    ("china_drills", None),
    (
        None,
        (
            "https://aawsat.com/economy/5076310-gold-record-high",
            "الذهب يسجل مستوى قياسياً جديداً مع تزايد الطلب على الملاذات الآمنة",
        ),
    ),
    ("oil", None),
]
FEED_KEYS = ["kim", "japan", "russia_american", "kyiv", "brics", "oil"]
SITEMAP_KEYS = ["kim", "experts", "kyiv", "g7", "oil"]
# A feed link as newsletters spell it, tracking parameters included, to exercise URL canonicalization.
FEED_TRACKING_QUERY = {"russia_american": "?utm_source=rss&utm_medium=feed"}

MONTHS = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
PIXEL_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

BY_KEY = {article.key: article for article in ARTICLES}


def a(value: str) -> str:
    """Escape for an attribute or text node."""
    return escape(value, quote=True)


# ---------------------------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class ResolvedCard:
    url: str  # absolute, with the placeholder for this site
    href: str  # as written in the page
    target_path: str | None  # when the target is a sample page
    title: str
    section: str
    summary: str
    photo: Photo | None
    byline: Byline


def resolve_card(key: str, relative: bool) -> ResolvedCard:
    if key in BY_KEY:
        target = BY_KEY[key]
        return ResolvedCard(
            url=BASE + target.path,
            href=target.path if relative else BASE + target.path,
            target_path=target.path,
            title=target.title,
            section=target.section,
            summary=target.description,
            photo=target.lead,
            byline=target.byline,
        )
    card: Card = EXTERNAL_CARDS[key]
    return ResolvedCard(
        url=card.url,
        href=card.url.replace(BASE, "") if relative else card.url,
        target_path=None,
        title=card.title,
        section=card.section,
        summary=card.summary,
        photo=card.photo,
        byline=card.byline,
    )


def most_read(article: Article) -> list[tuple[str, str]]:
    """(href, title) of the "most read" list, without the page itself."""
    items = []
    for key, external in MOST_READ:
        if key == article.key:
            continue
        if key is None:
            items.append(external)
        else:
            card = resolve_card(key, relative=True)
            items.append((card.href, card.title))
    return items


# ---------------------------------------------------------------------------------------------- dates


def published_instant(article: Article) -> datetime:
    if "T" in article.published:
        return datetime.fromisoformat(article.published)
    return datetime.combine(date.fromisoformat(article.published), datetime.min.time(), tzinfo=UTC)


def utc_iso(value: str | None) -> str | None:
    if value is None:
        return None
    if "T" not in value:
        return f"{value}T00:00:00Z"
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def arabic_date(article: Article, with_time: bool) -> str:
    moment = published_instant(article)
    text = f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    return f"{text} - {moment:%H:%M}" if with_time else text


# ---------------------------------------------------------------------------------------------- shared chrome


def head_common(article: Article, charset_tag: str, extra: str) -> str:
    return f"""<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head>
{charset_tag}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{a(article.title)} | الشرق الأوسط</title>
<link rel="canonical" href="{BASE}{article.path}">
<meta name="description" content="{a(article.description)}">
<meta property="og:site_name" content="الشرق الأوسط">
<meta property="og:type" content="article">
<meta property="og:title" content="{a(article.title)}">
<meta property="og:description" content="{a(article.description)}">
<meta property="og:image" content="{BASE}{article.lead.src}">
<meta property="og:url" content="{BASE}{article.path}">
<link rel="alternate" type="application/rss+xml" title="الشرق الأوسط" href="{BASE}/feed.xml">
<link rel="stylesheet" href="/static/site.css">
{extra}</head>
"""


def section_href(article: Article) -> str:
    return "/" + article.path.split("/")[1]


def nav_links(separator: str) -> str:
    return separator.join(f'<a href="{href}">{label}</a>' for href, label in NAV)


def nav_items() -> str:
    return "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in NAV)


def footer_links() -> str:
    return "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in FOOTER_LINKS)


def pixel(article: Article) -> str:
    # 1x1 analytics beacon; it is an <img> but never an article image.
    return f'<img src="{BASE}/pixel.gif?page={article.path.rsplit("/", 1)[-1]}" width="1" height="1" alt="" style="display:none">'


def size_attrs(photo: Photo) -> str:
    return f' width="{photo.width}" height="{photo.height}"' if photo.width else ""


def alt_attr(photo: Photo) -> str:
    return f' alt="{a(photo.alt)}"' if photo.alt is not None else ""


# ---------------------------------------------------------------------------------------------- semantic style


def render_semantic(article: Article) -> str:
    extra = "".join(
        [
            f'<meta property="article:published_time" content="{article.published}">\n',
            f'<meta property="article:modified_time" content="{article.modified}">\n'
            if article.modified
            else "",
            f'<meta property="article:section" content="{a(article.section)}">\n',
            "".join(f'<meta property="article:tag" content="{a(tag)}">\n' for tag in article.tags),
            f'<meta name="author" content="{a(article.byline.source)}">\n' if article.shows_author else "",
        ]
    )

    def figure(photo: Photo, css: str) -> str:
        srcset = f' srcset="{photo.src.replace(".jpg", "-640.jpg")} 640w, {photo.src} 1200w"'
        return (
            f'<figure class="{css}">\n'
            f'  <img src="{photo.src}"{srcset}{alt_attr(photo)}{size_attrs(photo)}>\n'
            f'  <figcaption>{a(photo.caption)} <small class="credit">({a(photo.credit_raw)})</small></figcaption>\n'
            f"</figure>\n"
        )

    body = ""
    for index, paragraph in enumerate(article.paragraphs):
        body += f"<p>{a(paragraph)}</p>\n"
        if index in article.inline_photos:
            body += figure(article.inline_photos[index], "inline")
    byline = ""
    if article.shows_author:
        author = article.byline
        name = f"«{author.source}»" if author.kind == "organisation" else author.source
        rel = ' rel="author"' if author.kind == "person" else ""
        byline = f'<p class="byline"><a class="author" href="/author/{article.key}"{rel}>{a(name)}</a> ({a(author.place or "")})</p>\n'

    cards = ""
    for position, key in enumerate(article.related):
        card = resolve_card(key, relative=position % 2 == 0)
        photo = ""
        if card.photo:
            photo = (
                f'<a href="{card.href}" class="thumb"><figure><img src="{card.photo.src}" alt="{a(card.title)}" loading="lazy">'
                f"<figcaption>{a(card.photo.printed_caption)}</figcaption></figure></a>\n"
            )
        cards += (
            '<article class="card">\n'
            f'<a class="card-section" href="/world">{a(card.section)}</a>\n'
            f"{photo}"
            f'<h3><a href="{card.href}">{a(card.title)}</a></h3>\n'
            f'<p class="card-summary">{a(card.summary)}</p>\n'
            f'<p class="card-byline">{a(card.byline.printed)}</p>\n'
            "</article>\n"
        )
    most = "".join(f'<li><a href="{href}">{a(title)}</a></li>' for href, title in most_read(article))
    return (
        head_common(article, '<meta charset="utf-8">', extra)
        + f"""<body>
<header class="site-header">
<a class="brand" href="/"><img src="/static/logo.svg" alt="الشرق الأوسط" width="180" height="40"></a>
<nav aria-label="الأقسام"><ul>{nav_items()}</ul></nav>
</header>
<main>
<article class="article">
<header class="article-header">
<p class="kicker"><a href="{section_href(article)}">{a(article.section)}</a></p>
<h1>{a(article.title)}</h1>
{byline}<time datetime="{article.published}">نُشر: {arabic_date(article, with_time=True)}</time>
</header>
{figure(article.lead, "lead")}<div class="text-size" aria-label="حجم الخط"><button type="button">T</button><button type="button">T</button></div>
<div class="article-body">
{body}</div>
</article>
<section class="related">
<h2>{RELATED_HEADING}</h2>
{cards}</section>
</main>
<aside class="most-read"><h2>{MOST_READ_HEADING}</h2><ol>{most}</ol></aside>
<footer class="site-footer"><ul>{footer_links()}</ul><p>{COPYRIGHT}</p></footer>
{pixel(article)}
</body>
</html>
"""
    )


# ---------------------------------------------------------------------------------------------- div style


def render_divs(article: Article) -> str:
    if article.encoding == "utf-8":
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    else:
        charset = f'<meta http-equiv="Content-Type" content="text/html; charset={article.encoding}">'
    dated = "T" in article.published
    extra = "".join(
        [
            f'<meta property="article:published_time" content="{article.published}">\n' if dated else "",
            f'<meta property="article:section" content="{a(article.section)}">\n',
            f'<meta name="keywords" content="{a(", ".join(article.tags))}">\n' if article.tags else "",
        ]
    )

    def caption(photo: Photo) -> str:
        if article.credit_markup == "span":
            return f'<span class="caption">{a(photo.caption)} <span class="credit">{a(photo.credit_raw)}</span></span>'
        if article.credit_markup == "span_bracketed":
            return f'<span class="caption">{a(photo.caption)} <span class="credit">({a(photo.credit_raw)})</span></span>'
        return f'<span class="caption">{a(photo.printed_caption)}</span>'

    def lazy(photo: Photo, css: str) -> str:
        # The real address hides in data-src until a script swaps it in; <noscript> repeats the same image.
        return (
            f'<div class="{css}">\n'
            f'<img class="lazy" src="{PIXEL_GIF}" data-src="{photo.src}" '
            f'data-srcset="{photo.src.replace(".jpg", "-480.jpg")} 480w, {photo.src} 1024w"{alt_attr(photo)}{size_attrs(photo)}>\n'
            f'<noscript><img src="{photo.src}"{alt_attr(photo)}></noscript>\n'
            f"{caption(photo)}\n"
            "</div>\n"
        )

    body = ""
    for index, paragraph in enumerate(article.paragraphs):
        body += f"<p>{a(paragraph)}</p>\n"
        if index in article.inline_photos:
            body += lazy(article.inline_photos[index], "inline-image")
    byline = f'<div class="node-author">{a(article.byline.printed)}</div>\n' if article.shows_author else ""
    date_line = f"نُشر: {arabic_date(article, with_time=dated)}"

    items = ""
    for position, key in enumerate(article.related):
        card = resolve_card(key, relative=position % 2 == 1)
        image = ""
        if card.photo:
            image = (
                f'<div class="item-img"><a href="{card.href}"><img class="lazy" src="{PIXEL_GIF}" data-src="{card.photo.src}" alt=""></a>'
                f'<span class="caption">{a(card.photo.printed_caption)}</span></div>\n'
            )
        items += (
            '<div class="item">\n'
            f'<div class="item-section"><a href="/world">{a(card.section)}</a></div>\n'
            f"{image}"
            f'<div class="item-title"><a href="{card.href}">{a(card.title)}</a></div>\n'
            f'<div class="item-summary">{a(card.summary)}</div>\n'
            f'<div class="item-author">{a(card.byline.printed)}</div>\n'
            "</div>\n"
        )
    most = "".join(
        f'<div class="mr-item"><a href="{href}">{a(title)}</a></div>' for href, title in most_read(article)
    )
    return (
        head_common(article, charset, extra)
        + f"""<body class="node-type-article">
<div id="wrapper">
<div class="top-bar">
<div class="logo"><a href="/"><img src="/static/logo.png" alt="الشرق الأوسط"></a></div>
<div class="menu">{nav_links(" | ")}</div>
</div>
<div class="container">
<div class="col-main">
<div class="node-title"><h1 class="title">{a(article.title)}</h1></div>
{byline}<div class="node-date">{date_line}</div>
{lazy(article.lead, "node-image")}<div class="font-tools"><a href="#" class="font-up">T</a><a href="#" class="font-down">T</a></div>
<div class="node-body">
{body}{pixel(article)}
</div>
<div class="related-block">
<div class="block-title">{RELATED_HEADING}</div>
{items}</div>
</div>
<div class="col-side">
<div class="block-title">{MOST_READ_HEADING}</div>
{most}
</div>
</div>
<div class="footer"><ul>{footer_links()}</ul><div class="copyright">{COPYRIGHT}</div></div>
</div>
</body>
</html>
"""
    )


# ---------------------------------------------------------------------------------------------- JSON-LD style


def jsonld(article: Article) -> str:
    images = [article.lead, *article.inline_photos.values()]
    news: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "datePublished": article.published,
        "articleSection": article.section,
        "inLanguage": "ar",
        "mainEntityOfPage": f"{BASE}{article.path}",
        "image": [
            {
                "@type": "ImageObject",
                "url": f"{BASE}{photo.src}",
                "caption": photo.caption,
                "creditText": photo.credit_raw,
            }
            for photo in images
        ],
        "publisher": {
            "@type": "Organization",
            "name": ORG,
            "logo": {"@type": "ImageObject", "url": f"{BASE}/static/logo.png"},
        },
    }
    if article.modified:
        news["dateModified"] = article.modified
    if article.tags:
        # One page lists keywords, the other joins them, as both spellings occur in the wild.
        news["keywords"] = ",".join(article.tags) if article.jsonld_graph else article.tags
    if article.shows_author:
        kind = "Organization" if article.byline.kind == "organisation" else "Person"
        news["author"] = [{"@type": kind, "name": article.byline.source}]
    if article.jsonld_graph:
        document: dict[str, Any] = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "Organization", "@id": f"{BASE}/#org", "name": ORG, "url": f"{BASE}/"},
                {"@type": "WebPage", "@id": f"{BASE}{article.path}", "name": article.title},
                {
                    "@type": "BreadcrumbList",
                    "itemListElement": [
                        {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": f"{BASE}/"},
                        {
                            "@type": "ListItem",
                            "position": 2,
                            "name": article.section,
                            "item": BASE + section_href(article),
                        },
                    ],
                },
                news,
            ],
        }
    else:
        document = {"@context": "https://schema.org", **news}
    return json.dumps(document, ensure_ascii=False, indent=1)


def render_jsonld(article: Article) -> str:
    extra = f'<script type="application/ld+json">\n{jsonld(article)}\n</script>\n'

    def media(photo: Photo, lead: bool) -> str:
        picture = (
            f'<picture><source srcset="{photo.src.replace(".jpg", ".webp")}" type="image/webp">'
            f'<img src="{photo.src}"{alt_attr(photo)}{size_attrs(photo)}></picture>'
        )
        return (
            f'<div class="story-media{" story-media--lead" if lead else ""}">{picture}\n'
            f'<p class="photo-caption">{a(photo.printed_caption)}</p></div>\n'
        )

    body = ""
    for index, paragraph in enumerate(article.paragraphs):
        body += f"<p>{a(paragraph)}</p>\n"
        if index in article.inline_photos:
            body += media(article.inline_photos[index], lead=False)
    author = f'<span class="story-author">{a(article.byline.printed)}</span>' if article.shows_author else ""
    cards = ""
    for key in article.related:
        card = resolve_card(key, relative=False)
        image = ""
        if card.photo:
            image = (
                f'<div class="card-media"><img src="{card.photo.src}" alt="{a(card.title)}">'
                f'<p class="photo-caption">{a(card.photo.printed_caption)}</p></div>'
            )
        cards += (
            '<li class="story-card">'
            f'<span class="story-card__section">{a(card.section)}</span>'
            f"{image}"
            f'<h4 class="story-card__title"><a href="{card.href}">{a(card.title)}</a></h4>'
            f'<p class="story-card__summary">{a(card.summary)}</p>'
            f'<span class="story-card__byline">{a(card.byline.printed)}</span>'
            "</li>\n"
        )
    most = "".join(f'<li><a href="{href}">{a(title)}</a></li>' for href, title in most_read(article))
    return (
        head_common(article, '<meta charset="utf-8">', extra)
        + f"""<body>
<div class="page">
<div class="masthead"><a href="/" class="masthead__logo"><img src="{BASE}/static/logo.png" alt="الشرق الأوسط" width="200" height="44"></a>
<ul class="masthead__nav">{nav_items()}</ul></div>
<div class="story">
<div class="story-header"><h1 class="story-title">{a(article.title)}</h1>
<div class="story-meta">{author}<span class="story-date">{arabic_date(article, with_time=False)}</span></div></div>
{media(article.lead, lead=True)}<div class="fontsize" title="حجم الخط">TT</div>
<div class="story-body">
{body}{pixel(article)}
</div>
<div class="more-stories"><h4>{RELATED_HEADING}</h4>
<ul>
{cards}</ul></div>
</div>
<div class="sidebar"><div class="most-read"><h3>{MOST_READ_HEADING}</h3><ul>{most}</ul></div></div>
<div class="site-footer"><ul>{footer_links()}</ul><p>{COPYRIGHT}</p></div>
</div>
</body>
</html>
"""
    )


RENDERERS = {"semantic": render_semantic, "divs": render_divs, "jsonld": render_jsonld}


# ---------------------------------------------------------------------------------------------- ground truth


def image_truth(photo: Photo, position: int, is_lead: bool) -> dict[str, Any]:
    return {
        "position": position,
        "url": BASE + photo.src,
        "path": photo.src,
        "caption": photo.caption,
        "credit_raw": photo.credit_raw,
        "credit": photo.credit,
        "is_lead": is_lead,
        "alt": photo.alt,
        "width": photo.width,
        "height": photo.height,
    }


def card_truth(card: ResolvedCard, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "url": card.url,
        "target_path": card.target_path,
        "title": card.title,
        "section": card.section,
        "summary": card.summary,
        "image_url": (card.photo.src if card.photo.src.startswith("http") else BASE + card.photo.src)
        if card.photo
        else None,
        "image_caption": card.photo.printed_caption if card.photo else None,
        "byline": card.byline.printed,
        "byline_source": card.byline.source,
        "byline_kind": card.byline.kind,
        "byline_place": card.byline.place,
    }


def page_truth(article: Article) -> dict[str, Any]:
    photos = [image_truth(article.lead, 0, True)]
    for position, photo in enumerate(article.inline_photos.values(), start=1):
        photos.append(image_truth(photo, position, False))
    cards = [resolve_card(key, relative=False) for key in article.related]
    excludes = [
        "TT",
        COPYRIGHT.split(". ")[-1],
        FOOTER_LINKS[1][1],
        RELATED_HEADING,
        MOST_READ_HEADING,
        *NAV_EXCLUDES,
    ]
    excludes += [title for _, title in most_read(article)]
    for card in cards:
        excludes += [card.title, card.summary]
    excludes = list(dict.fromkeys(excludes))
    body = "\n".join(article.paragraphs)
    leaked = [snippet for snippet in excludes if snippet in body]
    if leaked:
        raise ValueError(f"{article.key}: excluded snippets occur in the body: {leaked}")
    paragraphs = article.paragraphs
    return {
        "path": article.path,
        "url": BASE + article.path,
        "canonical_url": BASE + article.path,
        "file": f"pages{article.path}.html",
        "style": article.style,
        "encoding": article.encoding,
        "content_type": "text/html; charset=utf-8" if article.encoding == "utf-8" else "text/html",
        "in_feed": article.key in FEED_KEYS,
        "in_sitemap": article.key in SITEMAP_KEYS,
        "title": article.title,
        "description": article.description,
        "language": "ar",
        "authors": [article.byline.source] if article.shows_author else [],
        "published_at": utc_iso(article.published),
        "published_precision": "second" if "T" in article.published else "day",
        "modified_at": utc_iso(article.modified),
        "section": article.section,
        "tags": article.tags,
        "body_paragraphs": paragraphs,
        "body_contains": [paragraphs[0][:60], paragraphs[len(paragraphs) // 2][:60], paragraphs[-1][-60:]],
        "body_excludes": excludes,
        "images": photos,
        "related": [card_truth(card, position) for position, card in enumerate(cards)],
    }


EXPECTED_ABOUT = {
    "placeholder": f"{BASE} stands for the server's base URL, e.g. http://127.0.0.1:8123 (expected(base_url) fills it)",
    "published_at": "UTC; published_precision 'day' means the page prints only a date (no time, no zone)",
    "authors": "people or organisations named as the article's author, without guillemets; a byline inside the related block is never an author",
    "body_paragraphs": "the article body exactly, one entry per paragraph, without captions, widgets or related cards",
    "body_excludes": "text that is on the page but must not be in the extracted body",
    "images": "article images only (no logo, tracking pixel, related-card or most-read images); position in document order, lead first",
    "images.caption": "without the credit; credit_raw as printed without brackets; credit canonical (AFP, Reuters, dpa, AP, EPA, Getty) or credit_raw when no agency is named; a joint credit maps to the first agency named",
    "related.image_caption": "as printed, credit included",
    "related.byline": "as printed; byline_source without guillemets and place; byline_kind organisation (printed in «») or person",
    "related.target_path": "the sample page the card links to, or null when the target is not on this site",
}


def expected_json() -> str:
    data = {
        "site": "aawsat",
        "about": EXPECTED_ABOUT,
        "feed_path": "/feed.xml",
        "sitemap_path": "/sitemap.xml",
        "disallowed_path": "/private/draft-budget-leak",
        "pages": [page_truth(article) for article in ARTICLES],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------------------------------------- feed, sitemap, home


def rfc822(article: Article) -> str:
    return format_datetime(published_instant(article))


def feed_xml() -> str:
    items = ""
    for key in FEED_KEYS:
        article = BY_KEY[key]
        link = BASE + article.path + FEED_TRACKING_QUERY.get(key, "")
        items += f"""  <item>
   <title>{a(article.title)}</title>
   <link>{a(link)}</link>
   <guid isPermaLink="false">aawsat-{article.path.rsplit("/", 1)[-1].split("-", 1)[0]}</guid>
   <pubDate>{rfc822(article)}</pubDate>
   <category>{a(article.section)}</category>
   <description>{a(article.description)}</description>
  </item>
"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
 <channel>
  <title>الشرق الأوسط - آخر الأخبار</title>
  <link>{BASE}/</link>
  <description>آخر أخبار الشرق الأوسط</description>
  <language>ar</language>
  <atom:link href="{BASE}/feed.xml" rel="self" type="application/rss+xml"/>
{items} </channel>
</rss>
"""


def sitemap_xml() -> str:
    urls = ""
    for key in SITEMAP_KEYS:
        article = BY_KEY[key]
        lastmod = article.modified or article.published
        urls += f"""  <url>
    <loc>{BASE}{article.path}</loc>
    <lastmod>{lastmod}</lastmod>
    <news:news>
      <news:publication><news:name>الشرق الأوسط</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>{article.published}</news:publication_date>
      <news:title>{a(article.title)}</news:title>
      <news:keywords>{a(", ".join(article.tags))}</news:keywords>
    </news:news>
  </url>
"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}</urlset>
"""


def robots_txt() -> str:
    return f"""# The sample site welcomes crawlers everywhere except its drafts.
User-agent: *
Allow: /
Disallow: /private/

Sitemap: {BASE}/sitemap.xml
"""


def index_html() -> str:
    items = "".join(
        f'<li><a href="{article.path}">{a(article.title)}</a> <span class="section">{a(article.section)}</span></li>\n'
        for article in ARTICLES
    )
    return f"""<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head>
<meta charset="utf-8">
<title>الشرق الأوسط - صحيفة العرب الأولى</title>
<link rel="canonical" href="{BASE}/">
<link rel="alternate" type="application/rss+xml" title="الشرق الأوسط" href="{BASE}/feed.xml">
</head>
<body>
<header><a href="/"><img src="/static/logo.svg" alt="الشرق الأوسط"></a><nav>{nav_links(" ")}</nav></header>
<main><h1>آخر الأخبار</h1>
<ul class="latest">
{items}</ul></main>
<footer><ul>{footer_links()}</ul><p>{COPYRIGHT}</p></footer>
</body>
</html>
"""


PRIVATE_PAGE = """<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head><meta charset="utf-8"><title>مسودة غير منشورة</title><meta name="robots" content="noindex"></head>
<body><h1>مسودة غير منشورة</h1><p>هذه الصفحة محظورة على برامج الزحف في ملف robots.txt ولا يجوز جلبها.</p></body>
</html>
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # strict encoding: a character the legacy charset lacks must fail here, not become "?" on the page
    path.write_bytes(text.encode(encoding, errors="strict"))


def render_site(out_dir: Path = SITE_DIR) -> list[Path]:
    """Write every file of the site under `out_dir`; return the paths written."""
    files = {
        f"pages{article.path}.html": (RENDERERS[article.style](article), article.encoding)
        for article in ARTICLES
    }
    files["pages/private/draft-budget-leak.html"] = (PRIVATE_PAGE, "utf-8")
    files["feed.xml"] = (feed_xml(), "utf-8")
    files["sitemap.xml"] = (sitemap_xml(), "utf-8")
    files["robots.txt"] = (robots_txt(), "utf-8")
    files["index.html"] = (index_html(), "utf-8")
    files["expected.json"] = (expected_json(), "utf-8")
    for name, (text, encoding) in files.items():
        write(out_dir / name, text, encoding)
    return [out_dir / name for name in files]


if __name__ == "__main__":
    render_site()
