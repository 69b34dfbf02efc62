"""extract_article on hand-written pages in markups unlike each other; every field is checked exactly."""

from pathlib import Path

import pytest

from etl.lib.extract import extract_article
from etl.lib.records import ExtractedImage, ExtractedRelatedLink

FIXTURES = Path(__file__).parents[2] / "fixtures" / "html"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_arabic_figures_and_related_block():
    article = extract_article(
        _read("ar_figure_related.html"), "https://example-news.com/world/asia/5001-kim-russia"
    )

    assert article.error is None
    assert article.title == "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا"
    assert article.authors == ["الشرق الأوسط"]
    assert article.published_at == "2024-11-01T08:15:00+00:00"
    assert article.language == "ar"
    assert article.section == "آسيا"
    assert article.tags == ["كوريا الشمالية", "روسيا", "لافروف"]
    assert article.canonical_url == "https://example-news.com/world/asia/5001-kim-russia"
    assert article.field_sources["title"] == "jsonld"
    assert article.field_sources["description"] == "meta"
    assert article.images == [
        ExtractedImage(
            position=0,
            url="https://static.example-news.com/2024/11/kim-lavrov-pyongyang.jpg",
            alt_text="الزعيم الكوري الشمالي كيم جونغ أون يصافح وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ (أ.ف.ب)",
            caption="الزعيم الكوري الشمالي كيم جونغ أون يصافح وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ",
            credit_raw="أ.ف.ب",
            width=1200,
            height=675,
            is_lead=True,
        ),
        ExtractedImage(
            position=1,
            url="https://static.example-news.com/2024/11/kim-jong-un-portrait.jpg",
            caption="الزعيم الكوري الشمالي كيم جونغ أون",
            credit_raw="د.ب.أ",
            width=800,
            height=533,
        ),
    ]
    assert article.related == [
        ExtractedRelatedLink(
            position=0,
            url="https://example-news.com/world/europe/4990-russia-extracts-american",
            title="روسيا تُخرج مواطناً أميركياً عمل لصالحها في أوكرانيا لمدة عامين",
            section="أوروبا",
            summary="أعلنت قوات روسية أنها نجحت في إخراج مواطن أميركي من شرق أوكرانيا والذي ساعدهم سراً في استهداف قوات أوكرانية لمدة عامين على الأقل.",
            image_url="https://static.example-news.com/2024/10/us-citizen-russian-soldiers.jpg",
            image_caption="صورة للمواطن الأميركي محاطاً بجنود روس (وسائل إعلام روسية)",
            byline="«الشرق الأوسط» (موسكو)",
        ),
        ExtractedRelatedLink(
            position=1,
            url="https://example-news.com/harvest/4980-brics-india-china",
            title="قمة «بريكس» تسهم في التفاهم على خفض التوتر بين الهند والصين",
            section="حصاد الأسبوع",
            summary="حققت الهند والصين تقدماً كبيراً على صعيد المناقشات حول حدودهما المتنازع عليها في جبال الهيمالايا.",
            image_url="https://static.example-news.com/2024/10/brics-kazan.jpg",
            image_caption='لقطة جامعة لحضور قمة "البريكس" في قازان (رويترز)',
            byline="براكريتي غوبتا (نيودلهي)",
        ),
    ]
    body = article.body_text
    assert body.startswith("أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله")
    assert body.endswith("ساهم في تعزيز العلاقات بين موسكو وبيونغ يانغ.")
    assert len(body.split("\n")) == 6
    for leaked in ("مقالات ذات صلة", "روسيا تُخرج", "الأكثر قراءة", "الهلال", "جميع الحقوق", "TT", "براكريتي"):
        assert leaked not in body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"   \n\t ", "empty document"),
        (bytes(range(256)) * 40, "binary content"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 100, "gzip"),
        (b"just some words without any markup", "no HTML markup"),
        (b"<html>" + b"x" * 20_000_001, "too large"),
    ],
)
def test_unusable_input_gives_a_one_line_error(body, reason):
    article = extract_article(body, "https://example.com/a")
    assert article.error is not None
    assert reason in article.error
    assert "\n" not in article.error
    assert article.body_text == ""
    assert article.images == []


def test_truncated_page_still_reads_what_is_there():
    page = _read("ar_figure_related.html")
    article = extract_article(page[: len(page) // 2], "https://example-news.com/world/asia/5001-kim-russia")
    assert article.title == "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا"
    assert article.images[0].credit_raw == "أ.ف.ب"


def test_declared_encoding_decodes_windows_1256():
    page = _read("ar_figure_related.html").decode("utf-8").replace('<meta charset="utf-8">', "")
    raw = page.encode("cp1256", errors="replace")
    article = extract_article(
        raw, "https://example-news.com/world/asia/5001-kim-russia", encoding="windows-1256"
    )
    assert article.title == "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا"
    assert "لافروف" in article.body_text
