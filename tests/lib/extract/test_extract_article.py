"""extract_article on hand-written pages in markups unlike each other; every field is checked exactly."""

from pathlib import Path

import pytest

from etl.lib.extract import extract_article
from etl.lib.records import ExtractedImage, ExtractedRelatedLink
from etl.lib.sites import SiteProfile

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
            caption_source="figure",
            credit_source="figure",
        ),
        ExtractedImage(
            position=1,
            url="https://static.example-news.com/2024/11/kim-jong-un-portrait.jpg",
            caption="الزعيم الكوري الشمالي كيم جونغ أون",
            credit_raw="د.ب.أ",
            width=800,
            height=533,
            caption_source="figure",
            credit_source="figure",
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


def test_english_div_soup_with_lazy_images_and_inline_read_more():
    article = extract_article(
        _read("en_div_soup_lazy.html"), "https://www.dailyexample.co.uk/world/2024/10/30/valencia-floods"
    )

    assert article.title == "Floods force thousands from homes in Valencia region"
    assert article.field_sources["title"] == "opengraph"
    # article:author is a URL there, so the plain meta author wins; the related cards' "By ..." never do
    assert article.authors == ["Maria Lopez"]
    assert article.field_sources["authors"] == "meta"
    assert article.tags == ["Spain", "Floods"]
    assert article.language == "en"
    assert article.images == [
        ExtractedImage(
            position=0,
            url="https://cdn.dailyexample.co.uk/images/2024/10/valencia-floods-street-1600.jpg",
            alt_text="A flooded street in Paiporta",
            caption="Residents wade through a flooded street in Paiporta, near Valencia, on Wednesday.",
            credit_raw="Reuters/Eva Manez",
            width=800,
            height=450,
            is_lead=True,
            caption_source="figure",
            credit_source="figure",
        ),
        ExtractedImage(
            position=1,
            url="https://www.dailyexample.co.uk/images/2024/10/valencia-rescue-helicopter.jpg",
            caption="A military helicopter lifts a resident from a rooftop in Chiva",
            credit_raw="AFP",
            width=640,
            height=427,
            caption_source="figure",
            credit_source="figure",
        ),
    ]
    assert article.related == [
        ExtractedRelatedLink(
            position=0,
            url="https://www.dailyexample.co.uk/world/2024/10/29/spain-storm-warning",
            title="Spain issues red alert as storm approaches the east coast",
            section="Weather",
            summary="Forecasters warned of up to 200mm of rain in 24 hours along the Mediterranean coast.",
            image_url="https://cdn.dailyexample.co.uk/images/2024/10/storm-clouds-thumb.jpg",
            byline="By Jane Smith",
        ),
        ExtractedRelatedLink(
            position=1,
            url="https://www.dailyexample.co.uk/climate/2024/10/01/mediterranean-heat-record",
            title="Mediterranean sea temperatures hit a record high",
            summary="Scientists say the warmer water is feeding more intense autumn storms.",
            byline="By Tom Green",
        ),
    ]
    paragraphs = article.body_text.split("\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("Emergency services in eastern Spain rescued hundreds")
    assert paragraphs[-1].endswith("near the town of Utiel.")
    for leaked in (
        "Read more",
        "Most popular",
        "Underdogs",
        "Share on",
        "All rights reserved",
        "Residents wade",
    ):
        assert leaked not in article.body_text


def test_german_jsonld_graph_picture_and_paragraph_caption():
    article = extract_article(
        _read("de_jsonld_picture.html"),
        "https://www.beispiel-zeitung.de/wirtschaft/bahnstreik-fernverkehr-100.html",
    )

    assert article.title == "Bahnstreik legt Fernverkehr lahm"  # JSON-LD headline beats og:title
    assert article.authors == ["Anna Schmidt", "Jonas Weber"]
    assert article.published_at == "2024-03-07T05:30:00+01:00"
    assert article.modified_at == "2024-03-07T09:12:00+01:00"
    assert article.site_name == "Beispiel Zeitung"
    assert article.language == "de"
    assert article.section == "Wirtschaft"
    assert article.tags == ["Bahn", "Streik", "GDL"]
    assert (
        article.canonical_url == "https://www.beispiel-zeitung.de/wirtschaft/bahnstreik-fernverkehr-100.html"
    )
    assert {article.field_sources[f] for f in ("title", "authors", "section", "canonical_url")} == {"jsonld"}
    assert article.images == [
        ExtractedImage(
            position=0,
            url="https://img.beispiel-zeitung.de/2024/03/bahnhof-leer.jpg",
            alt_text="Leerer Bahnsteig",
            caption="Leere Gleise im Hauptbahnhof Frankfurt am Main",
            credit_raw="dpa/Boris Roessler",
            width=1920,
            height=1080,
            is_lead=True,
            caption_source="figure",
            credit_source="figure",
        ),
        ExtractedImage(
            position=1,
            url="https://img.beispiel-zeitung.de/2024/03/anzeigetafel.jpg",
            alt_text="Anzeigetafel",
            caption="Eine Anzeigetafel meldet Zugausfälle.",
            credit_raw="Imago/Steinach",
            width=1200,
            height=800,
            caption_source="figure",
            credit_source="figure",
        ),
    ]
    assert [(link.url, link.title) for link in article.related] == [
        (
            "https://www.beispiel-zeitung.de/wirtschaft/gdl-tarifstreit-chronologie-100.html",
            "Der Tarifstreit zwischen Bahn und GDL in der Chronologie",
        ),
        (
            "https://www.beispiel-zeitung.de/wirtschaft/fahrgastrechte-streik-100.html",
            "Welche Rechte Fahrgäste bei einem Streik haben",
        ),
    ]
    assert len(article.body_text.split("\n")) == 5
    for leaked in (
        "Lesen Sie auch",
        "Tarifstreit",
        "Meistgelesen",
        "Spitzenreiter",
        "Impressum",
        "Anzeigetafel",
    ):
        assert leaked not in article.body_text


def test_profile_selectors_override_the_generic_rules():
    profile = SiteProfile(related="div.rs-card", related_card="div.rs-card", exclude=[".story-lead-media"])
    article = extract_article(
        _read("en_div_soup_lazy.html"),
        "https://www.dailyexample.co.uk/world/2024/10/30/valencia-floods",
        profile=profile,
    )
    # the excluded lead block takes its image with it; the profile's cards are the only related links
    assert [image.credit_raw for image in article.images] == ["AFP"]
    assert [link.byline for link in article.related] == ["By Jane Smith", "By Tom Green"]
    assert article.field_sources["related"] == "profile"


def test_related_bylines_never_become_the_articles_authors():
    page = _read("ar_figure_related.html").decode("utf-8")
    without_jsonld = (
        page[: page.index('<script type="application/ld+json">')] + page[page.index("</script>") + 9 :]
    )
    article = extract_article(without_jsonld, "https://example-news.com/world/asia/5001-kim-russia")
    assert article.authors == []
    assert [link.byline for link in article.related] == ["«الشرق الأوسط» (موسكو)", "براكريتي غوبتا (نيودلهي)"]
    assert article.title == "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا"
    assert article.field_sources["title"] == "opengraph"
