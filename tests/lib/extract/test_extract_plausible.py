"""Impossible values count as absent at extraction: the next source fills the field, and the value set aside is
kept as a RejectedValue; the whole page is read when the pruned one gives no body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import etl.lib.extract.article as extraction
from etl.lib.extract import extract_article
from etl.lib.extract.canonical import canonical_rejection
from etl.lib.records import RejectedValue

SITE = "https://akhbar.example"
URL = f"{SITE}/world/4700100-kim-lavrov"
FETCHED_AT = datetime(2024, 10, 28, 12, tzinfo=UTC)
TITLE = "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا"
PARAGRAPHS = [
    "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله وزير الخارجية الروسي سيرغي لافروف أمس (الخميس)، أنه "
    "يريد بناء علاقة «تتطلع إلى المستقبل» مع موسكو، كما ذكرت وكالة الأنباء المركزية الكورية الشمالية الرسمية.",
    "وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ، قبل رحلة محتملة للرئيس فلاديمير بوتين إلى هذا البلد الذي "
    "يدعم روسيا في حربها ضد أوكرانيا، وفقاً لـ«وكالة الصحافة الفرنسية».",
    "وقال كيم إن هدف حزب «العمال» الحاكم والحكومة هو «وضع خطة مستقرة وتطلعية وبعيدة المدى للعلاقات بين كوريا "
    "الديمقراطية وروسيا».",
]


def page(head: str = "", dateline: str = "", article_class: str = "", after: str = "") -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{TITLE}</title>{head}</head>'
        f'<body><main><article class="{article_class}"><h1>{TITLE}</h1>{dateline}'
        f'<div class="article-body">{body}</div></article>{after}</main></body></html>'
    )


def jsonld(**fields: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE, **fields}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def extract(html: str, url: str = URL):
    return extract_article(html, url, fetched_at=FETCHED_AT)


@pytest.mark.parametrize(
    ("page_url", "canonical", "rule"),
    [
        (URL, f"{SITE}/", "canonical_is_site_root"),
        (URL, SITE, "canonical_is_site_root"),
        (URL, f"{SITE}/ar/", "canonical_is_site_root"),
        (URL, f"{SITE}/index.html", "canonical_is_site_root"),
        (URL, f"{SITE}/world/", "canonical_is_listing_page"),  # an ancestor of the page's path
        (URL, f"{SITE}/sections/middle-east", "canonical_is_listing_page"),  # a section's name
        (URL, "javascript:void(0)", "canonical_not_a_url"),
        (URL, URL, None),
        (f"{URL}?ref=home", URL, None),
        (f"{URL}/amp", URL, None),  # the AMP copy names the regular page
        (f"{URL}/2", URL, None),  # the article's second page
        (URL, f"{SITE}/world/4699999-another-story", None),  # plausible alone; the batch decides
        (URL, f"{SITE}/?p=4700100", None),  # a query names one article
        (f"{SITE}/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/4700100-kim", f"{SITE}/العالم/4700100-kim", None),
        (
            URL,
            "https://other.example/world/4700100-kim-lavrov",
            None,
        ),  # syndication: decided at normalization
    ],
)
def test_a_canonical_that_cannot_name_one_article_is_refused(page_url, canonical, rule):
    assert canonical_rejection(page_url, canonical) == rule


def test_a_site_root_og_url_gives_way_to_the_link_canonical_and_is_kept_as_rejected():
    article = extract(page(f'<meta property="og:url" content="{SITE}/"><link rel="canonical" href="{URL}">'))
    assert article.canonical_url == URL
    assert article.field_sources["canonical_url"] == "meta"
    assert RejectedValue("canonical_url", f"{SITE}/", "opengraph", "canonical_is_site_root") in (
        article.rejected_values
    )


def test_only_a_site_root_canonical_leaves_the_article_without_one():
    article = extract(page(f'<link rel="canonical" href="{SITE}/">'))
    assert article.canonical_url is None
    assert [(r.field, r.rule) for r in article.rejected_values] == [
        ("canonical_url", "canonical_is_site_root")
    ]


@pytest.mark.parametrize(
    ("printed", "rule"),
    [
        ("0001-01-01T00:00:00Z", "date_before_1990"),
        ("0000-00-00 00:00:00", "date_before_1990"),
        ("1970-01-01", "date_before_1990"),
        ("2031-05-01T10:00:00Z", "date_in_future"),
        ("2024-10-29T08:00:00+00:00", "date_in_future"),  # beyond the skew of a fetch at 12:00 the day before
    ],
)
def test_an_impossible_json_ld_date_gives_way_to_the_meta_tag(printed, rule):
    article = extract(
        page(jsonld(datePublished=printed) + '<meta name="pubdate" content="2024-10-28T11:45:00+03:00">')
    )
    assert article.published_at == "2024-10-28T11:45:00+03:00"
    assert article.field_sources["published_at"] == "meta"
    assert RejectedValue("published_at", printed, "jsonld", rule) in article.rejected_values


def test_a_later_time_within_the_skew_is_kept():
    article = extract(page(jsonld(datePublished="2024-10-29T01:00:00+00:00")))
    assert article.published_at == "2024-10-29T01:00:00+00:00"
    assert article.rejected_values == []


def test_a_date_without_a_time_gives_way_to_the_dateline_with_the_time_of_that_day():
    dateline = '<div class="post-date">نشر في: 14:19 - 28 أكتوبر 2024 م</div>'
    article = extract(page(jsonld(datePublished="2024-10-28"), dateline=dateline))
    assert article.published_at == "2024-10-28T14:19:00"
    assert article.field_sources["published_at"] == "dom"


def test_a_dateline_of_another_day_does_not_replace_the_structured_date():
    dateline = '<div class="post-date">نشر في: 14:19 - 27 أكتوبر 2024 م</div>'
    article = extract(page(jsonld(datePublished="2024-10-28"), dateline=dateline))
    assert (article.published_at, article.field_sources["published_at"]) == ("2024-10-28", "jsonld")


def test_a_title_that_is_the_site_name_alone_gives_way_to_the_next_source():
    head = '<meta property="og:site_name" content="أخبار اليوم">' + jsonld(headline="أخبار اليوم")
    head += f'<meta property="og:title" content="{TITLE}">'
    article = extract(page(head))
    assert (article.title, article.field_sources["title"]) == (TITLE, "opengraph")
    assert RejectedValue("title", "أخبار اليوم", "jsonld", "title_is_site_name") in article.rejected_values


def _pruned_page() -> str:
    """A blog-engine post whose <article> carries its tag as a class ("tag-trending"), with readers' comments
    that outweigh the body: the rules read the article as a "trending" teaser block and drop it."""
    body = "".join(
        f'<p>{paragraph} <a href="{SITE}/world/47000{index}-related-report">تقرير مفصل عن العلاقات الكورية الروسية</a></p>'
        for index, paragraph in enumerate(PARAGRAPHS)
    )
    comments = "".join(
        f"<p>تعليق القارئ رقم {index}: العلاقات بين البلدين تتطور بسرعة ويجب أن ننتبه لما يحدث في المنطقة كلها "
        "لأن التحالفات الجديدة ستغير موازين القوى في آسيا.</p>"
        for index in range(12)
    )
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{TITLE}</title></head><body>'
        '<div id="page"><article class="post-4700100 post type-post category-world tag-trending">'
        f'<h1 class="entry-title">{TITLE}</h1><div class="entry-content">{body}</div></article>'
        f'<div id="comments"><h3>التعليقات</h3>{comments}</div></div></body></html>'
    )


def test_a_body_the_pruning_takes_is_read_from_the_whole_page():
    article = extract(_pruned_page())
    assert article.error is None
    assert all(paragraph in article.body_text for paragraph in PARAGRAPHS)
    assert "تعليق القارئ" not in article.body_text
    assert article.field_sources["body_text"] == "trafilatura_whole_page"


def test_no_article_text_only_when_the_whole_page_has_none_either():
    article = extract(f"<html><body><h1>{TITLE}</h1><nav><a href='/'>الرئيسية</a></nav></body></html>")
    assert article.error == "no article text found"


def test_a_normal_page_is_read_by_trafilatura_once(monkeypatch):
    readings = []
    real = extraction.extract_body
    monkeypatch.setattr(extraction, "extract_body", lambda tree, url: readings.append(url) or real(tree, url))
    article = extract(page())
    assert article.field_sources["body_text"] == "trafilatura"
    assert len(readings) == 1
