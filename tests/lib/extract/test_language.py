"""The article's language is decided once, by extraction: declared, detected, the site's, or guessed."""

import json

import pytest

from etl.lib.extract import extract_article
from etl.lib.extract.language import language_code

URL = "https://example-news.com/world/asia/5001-kim-russia"
# Modelled on the seed page's Arabic paragraphs: long enough to detect with confidence.
LONG_ARABIC = (
    "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله وزير الخارجية الروسي سيرغي لافروف أمس، أنه يريد "
    "بناء علاقة تتطلع إلى المستقبل مع موسكو. وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ، قبل رحلة محتملة "
    "للرئيس فلاديمير بوتين إلى هذا البلد الذي يدعم روسيا في حربها ضد أوكرانيا."
)
SHORT_GERMAN = "Die Aufregung nach dem Aufmarsch von Islamisten in Hamburg bleibt groß."


def page(body: str, *, html_lang: str | None = None, in_language: str | None = None) -> str:
    lang = f' lang="{html_lang}"' if html_lang else ""
    jsonld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Nach Kalifat-Rufen"}
    if in_language:
        jsonld["inLanguage"] = in_language
    return (
        f"<html{lang}><head><title>Nach Kalifat-Rufen</title>"
        f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script></head>'
        f"<body><article><h1>Nach Kalifat-Rufen</h1><p>{body}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("ar", "ar"),
        ("AR-sa", "ar"),
        ("ar_EG", "ar"),
        (" de-AT ", "de"),
        ("ara", "ar"),
        ("ger", "de"),
        ("Deutsch", None),
        ("und", None),
        ("zxx", None),
        ("x-default", None),
        (None, None),
    ],
)
def test_language_code(declared, expected):
    assert language_code(declared) == expected


@pytest.mark.parametrize(
    ("kwargs", "hint", "expected", "source"),
    [
        # the page's declaration, as the warehouse keeps codes
        ({"body": SHORT_GERMAN, "html_lang": "ara"}, None, "ar", "meta"),
        ({"body": LONG_ARABIC, "html_lang": "ar-SA"}, "en", "ar", "meta"),
        # a declaration of nothing gives way to the next declaration
        ({"body": SHORT_GERMAN, "in_language": "und", "html_lang": "de"}, None, "de", "meta"),
        # no declaration: a long body is detected, even against the site's language
        ({"body": LONG_ARABIC}, "en", "ar", "detected"),
        # a short body: the site's language (written as the sites file may write it) comes before a guess
        ({"body": SHORT_GERMAN}, "ar-SA", "ar", "hint"),
        # a short body and no site language: the guess from the title and body
        ({"body": SHORT_GERMAN}, None, "de", "detected"),
    ],
)
def test_extraction_decides_the_language_once(kwargs, hint, expected, source):
    article = extract_article(page(**kwargs), URL, language_hint=hint)
    assert (article.language, article.field_sources.get("language")) == (expected, source)
