"""normalize_batch: extracted rows to the RAW_* contracts, with stable ids and hashes."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.lib.normalize.batch import normalize_batch, sha256_hex
from etl.lib.schema import (
    EXTRACTED_ARTICLES,
    EXTRACTED_IMAGES,
    EXTRACTED_RELATED_LINKS,
    RAW_ARTICLES,
    RAW_IMAGES,
    RAW_RELATED_LINKS,
)

URL = "https://aawsat.com/العالم/آسيا/5077777-كيم"
BODY = (
    "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله وزير الخارجية الروسي سيرغي لافروف أمس (الخميس)، "
    "أنه يريد بناء علاقة «تتطلع إلى المستقبل» مع موسكو، كما ذكرت وكالة الأنباء المركزية الكورية الشمالية.\n"
    "وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ، قبل رحلة محتملة للرئيس فلاديمير بوتين إلى هذا البلد."
)


def article(**overrides):
    row = {
        "url": URL,
        "requested_url": URL,
        "site": "aawsat",
        "partition_date": date(2024, 10, 28),
        "fetched_at": datetime(2024, 10, 28, 12, tzinfo=UTC),
        "archive_key": "ab/cdef",
        "body_sha256": "0" * 64,
        "canonical_url": None,
        "title": "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا",
        "description": None,
        "authors": [],
        "published_at_raw": "2024-10-28T10:30:00+03:00",
        "modified_at_raw": None,
        "site_name": "الشرق الأوسط",
        "language": "ar",
        "section": "آسيا",
        "tags": [],
        "body_text": BODY,
        "field_sources": "{}",
        "error": None,
    }
    row.update(overrides)
    return row


def image(**overrides):
    row = {
        "article_url": URL,
        "partition_date": date(2024, 10, 28),
        "position": 0,
        "image_url": "https://static.aawsat.com/2024/10/kim.jpg",
        "alt_text": None,
        "caption": "الزعيم الكوري الشمالي كيم جونغ أون يصافح وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ",
        "credit_raw": "أ.ف.ب",
        "width": 800,
        "height": 450,
        "is_lead": True,
    }
    row.update(overrides)
    return row


def link(**overrides):
    row = {
        "article_url": URL,
        "partition_date": date(2024, 10, 28),
        "position": 0,
        "target_url": "https://aawsat.com/العالم/أوروبا/5077000-روسيا",
        "title": "روسيا تُخرج مواطناً أميركياً عمل لصالحها في أوكرانيا لمدة عامين",
        "section": "أوروبا",
        "summary": "أعلنت قوات روسية أنها نجحت في إخراج مواطن أميركي من شرق أوكرانيا.",
        "image_url": None,
        "image_caption": "صورة للمواطن الأميركي محاطاً بجنود روس (وسائل إعلام روسية)",
        "byline": "«الشرق الأوسط» (موسكو)",
    }
    row.update(overrides)
    return row


def batch(articles, images=(), links=()):
    return normalize_batch(
        pl.DataFrame(list(articles), schema=EXTRACTED_ARTICLES),
        pl.DataFrame(list(images), schema=EXTRACTED_IMAGES),
        pl.DataFrame(list(links), schema=EXTRACTED_RELATED_LINKS),
    )


# Ids and hashes pinned as known values: the marts key every row by them, so a change to how one is made would
# re-key the warehouse, and must show here as a failing test rather than as a test rebuilt with the new formula.
ARTICLE_ID = {
    URL: "5f749c827dc849695202d1bad847a0902af7635f21b3980a5325fcb04e4b0c41",
    "https://aawsat.com/node/5077777": "48c919ac2c2e42e920dbb6c33797020702175dc745cdaabd86ca68f7837cc7fa",
    "https://www.aawsat.com/node/5077777": "619d811543cce8c5ba2f865c8c841d985f80bc0397257e7a68284a3d43731929",
    "https://english.aawsat.com/node/5077777": "90a677ae7da50010f9bbe0b188b34486e6f25304c47844933c60b807b5872810",
}
CONTENT_HASH = "7e3ec4936cd3fddfc656300ae207eb5a034beac4ad3d358c6604fec0881dc21a"  # article() with image()
LEAD_IMAGE_ID = "a06fe942a425f947a725155395514a58da989f3356e11795a80a36b9499f7b49"
REPEATED_IMAGE_ID = "99c765c719247cc71159e3e5ef6652a86528aa22817f3dae58a4dcc2038cf2b1"


def test_outputs_follow_the_raw_contracts_exactly():
    normalized = batch([article()], [image()], [link()])
    assert normalized.articles.schema == RAW_ARTICLES
    assert normalized.images.schema == RAW_IMAGES
    assert normalized.related_links.schema == RAW_RELATED_LINKS
    empty = batch([])
    assert (empty.articles.schema, empty.images.schema, empty.related_links.schema) == (
        RAW_ARTICLES,
        RAW_IMAGES,
        RAW_RELATED_LINKS,
    )


def test_article_fields_are_cleaned_and_parsed():
    row = batch(
        [
            article(
                title="\u200fكيم جونغ أون يريد بناء علاقة   «تتطلع إلى المستقبل» مع روســيا",
                body_text="  " + BODY.replace("\n", "\n\n \u200e") + "\n",
                authors=["«الشرق الأوسط»", " «الشرق الأوسط» "],
                published_at_raw="نُشر: 14:19-28 أكتوبر 2024 م ـ 25 رَبيع الثاني 1446 هـ",
            )
        ],
        [image(), image(position=1, image_url="https://static.aawsat.com/2024/10/kim2.jpg")],
        [link()],
    ).articles.row(0, named=True)
    assert row["title"] == "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا"
    assert row["body_text"] == BODY
    assert row["authors"] == ["«الشرق الأوسط»"]
    assert row["published_at"] == datetime(2024, 10, 28, 14, 19, tzinfo=UTC)
    assert (row["image_count"], row["related_link_count"]) == (2, 1)
    assert row["word_count"] == len(BODY.split())


@pytest.mark.parametrize(
    ("canonical_url", "id_url"),
    [
        (None, URL),
        ("https://aawsat.com/node/5077777", "https://aawsat.com/node/5077777"),
        ("https://www.aawsat.com/node/5077777#comments", "https://www.aawsat.com/node/5077777"),  # same site
        ("https://english.aawsat.com/node/5077777", "https://english.aawsat.com/node/5077777"),  # a subdomain
        ("https://www.reuters.com/world/asia/kim", URL),  # syndicated copy pointing elsewhere keeps its own
        ("/node/5077777", "https://aawsat.com/node/5077777"),  # relative: resolved against the page
        ("//aawsat.com/node/5077777", "https://aawsat.com/node/5077777"),
        ("not a url", URL),
        ("javascript:void(0)", URL),
    ],
)
def test_article_id_comes_from_the_canonical_url_on_the_same_site(canonical_url, id_url):
    row = batch([article(canonical_url=canonical_url)]).articles.row(0, named=True)
    assert row["article_id"] == ARTICLE_ID[id_url]
    if canonical_url in ("not a url", "javascript:void(0)"):
        assert row["canonical_url"] is None  # dropped, not kept to fail validation


def test_content_hash_ignores_invisible_differences_but_not_edits():
    base = batch([article()], [image()]).articles["content_hash"][0]
    assert base == CONTENT_HASH
    invisible = batch([article(body_text="\u200f" + BODY.replace(" ", "  "))], [image()]).articles[
        "content_hash"
    ][0]
    edited = batch([article(body_text=BODY + " وأضاف.")], [image()]).articles["content_hash"][0]
    new_photo = batch([article()], [image(image_url="https://static.aawsat.com/other.jpg")]).articles[
        "content_hash"
    ][0]
    assert invisible == base
    assert len({base, edited, new_photo}) == 3


def test_near_duplicates_share_a_cluster_across_sites():
    wire = BODY * 2
    copies = batch(
        [
            article(url="https://aawsat.com/a/1", body_text=wire),
            # another site prints the same wire copy with tatweel, Arabic-Indic digits and other punctuation
            article(
                url="https://example.com/b/2", body_text=wire.replace("الزعيم", "الزعـــيم").replace("،", ",")
            ),
            article(url="https://example.com/b/3", body_text="نص مختلف تماماً عن الخبر " * 20),
            article(url="https://example.com/b/4", body_text="خبر قصير"),
        ]
    ).articles
    clusters = copies["near_duplicate_cluster_id"].to_list()
    assert clusters[0] == clusters[1] is not None
    assert clusters[2] not in (None, clusters[0])
    assert clusters[3] is None  # too short to call anything a copy of it


def test_image_rows_carry_ids_credits_and_the_parent_revision():
    normalized = batch(
        [article()],
        [
            image(),
            image(
                position=1,
                image_url="https://static.aawsat.com/2024/10/kim-2.jpg",
                caption="الزعيم الكوري الشمالي كيم جونغ أون",
                credit_raw="د.ب.أ",
                is_lead=None,
            ),
            image(
                position=2,
                image_url="https://static.aawsat.com/2024/10/putin.jpg",
                caption="فلاديمير بوتين وكيم جونغ أون",
                credit_raw="أرشيفية - رويترز",
                is_lead=False,
            ),
            image(position=3, image_url="https://static.aawsat.com/2024/10/kim.jpg", credit_raw="Unbekannt"),
        ],
    )
    rows = normalized.images.sort("position").to_dicts()
    assert [r["credit"] for r in rows] == ["AFP", "dpa", "Reuters", "Unbekannt"]
    assert [r["credit_raw"] for r in rows] == ["أ.ف.ب", "د.ب.أ", "أرشيفية - رويترز", "Unbekannt"]
    assert [r["is_archive_photo"] for r in rows] == [False, False, True, False]
    assert [r["is_lead"] for r in rows] == [True, False, False, True]
    assert {r["content_hash"] for r in rows} == {normalized.articles["content_hash"][0]}
    # the same photo twice in one article: the first keeps the plain id, the repeat gets a tiebreak
    assert (rows[0]["image_id"], rows[3]["image_id"]) == (LEAD_IMAGE_ID, REPEATED_IMAGE_ID)


def test_image_text_sources_follow_the_caption_and_credit():
    """Each value keeps the source extraction read it from; a value cleaned away takes its source with it."""
    normalized = batch(
        [article()],
        [
            image(caption_source="figure", credit_source="jsonld"),
            image(
                position=1,
                image_url="https://static.aawsat.com/2024/10/kim-3.jpg",
                caption=" \u200f ",
                credit_raw="\u200e",
                caption_source="figure",
                credit_source="figure",
            ),
        ],
    )
    rows = normalized.images.sort("position").to_dicts()
    assert [(r["caption_source"], r["credit_source"]) for r in rows] == [("figure", "jsonld"), (None, None)]
    assert (rows[1]["caption"], rows[1]["credit_raw"]) == (None, None)


@pytest.mark.parametrize(
    ("caption", "credit_raw"),
    [
        # extraction read an archive marker as part of the caption, and a bracketed tail as no credit
        ("The Barbados Tridents’ footballers training ahead of a match against Dominica. (FILE)", None),
        ("الزعيم الكوري الشمالي كيم جونغ أون (د.ب.أ)", None),
        # a credit with brackets of its own keeps them, the closing one too
        (None, "DBT/Stella von Saldern (bearbeitet durch spdfraktion.de)"),
        ("(Symbolbild)", "MadMax22 (CC0) - (Symbolbild)"),
    ],
)
def test_captions_and_credits_are_split_once_by_extraction_never_again(caption, credit_raw):
    row = batch([article()], [image(caption=caption, credit_raw=credit_raw)]).images.row(0, named=True)
    assert (row["caption"], row["credit_raw"]) == (caption, credit_raw)


def test_the_language_is_extractions_and_normalization_keeps_it_as_given():
    """Extraction decides the language (declared, detected or the site's); a row it left without one stays so."""
    german = "Die Aufregung nach dem Aufmarsch von Islamisten in Hamburg bleibt groß."
    languages = batch(
        [
            article(url="https://aawsat.com/1", language=None, title="Nach Kalifat-Rufen", body_text=german),
            article(url="https://aawsat.com/2", language="en"),
        ]
    ).articles["language"]
    assert languages.to_list() == [None, "en"]


def test_child_ids_survive_a_page_that_adds_items_before_them():
    first = batch([article()], [image()], [link()])
    later = batch(
        [article()],
        [image(position=0, image_url="https://static.aawsat.com/new.jpg"), image(position=1)],
        [link(position=0, target_url="https://aawsat.com/new"), link(position=1)],
    )
    assert first.images["image_id"][0] in later.images["image_id"].to_list()
    assert first.related_links["link_id"][0] in later.related_links["link_id"].to_list()


def test_related_link_rows_carry_bylines():
    row = batch([article()], [], [link()]).related_links.row(0, named=True)
    assert (row["byline"], row["byline_source"], row["byline_kind"], row["byline_place"]) == (
        "«الشرق الأوسط» (موسكو)",
        "الشرق الأوسط",
        "organisation",
        "موسكو",
    )
    assert row["image_caption"] == "صورة للمواطن الأميركي محاطاً بجنود روس (وسائل إعلام روسية)"  # as printed
    assert row["url"] == link()["target_url"]


def test_children_are_never_doubled_or_dropped():
    # the same page listed twice, and a child whose page is not in the batch
    normalized = batch(
        [article(), article()],
        [image(), image(article_url="https://aawsat.com/missing", position=0)],
        [link()],
    )
    assert normalized.images.height == 2
    assert normalized.related_links.height == 1
    orphan = normalized.images.filter(pl.col("article_id").is_null())
    assert orphan.height == 1 and orphan["image_id"][0] is None  # validation quarantines it


def test_sha256_hex_gives_the_known_digests():
    values = pl.Series(["", "الشرق الأوسط", None])
    assert sha256_hex(values).to_list() == [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # SHA-256 of nothing (FIPS 180-4)
        "431244b77fcf2da871a45692e5cb2e98dd34c074f7284663a8e48bd1a7154ce1",  # of the name's UTF-8 bytes
        None,
    ]


def test_a_missing_input_column_is_a_one_line_error():
    with pytest.raises(ValueError, match=r"extracted articles: missing columns body_text"):
        normalize_batch(
            pl.DataFrame([article()], schema=EXTRACTED_ARTICLES).drop("body_text"),
            pl.DataFrame(schema=EXTRACTED_IMAGES),
            pl.DataFrame(schema=EXTRACTED_RELATED_LINKS),
        )


printed_text = st.one_of(
    st.none(), st.text(max_size=80), st.sampled_from(["", "٢٨ تشرين الأول ٢٠٢٤", "(أ.ف.ب)", "«»()"])
)


@settings(max_examples=40, deadline=None)
@given(
    title=printed_text,
    body=printed_text,
    date_text=printed_text,
    url=st.one_of(st.none(), st.text(max_size=30), st.just(URL)),
    canonical=printed_text,
    caption=printed_text,
    credit=printed_text,
    byline=printed_text,
)
def test_any_printed_text_normalizes_without_losing_rows(
    title, body, date_text, url, canonical, caption, credit, byline
):
    normalized = batch(
        [article(url=url, title=title, body_text=body, published_at_raw=date_text, canonical_url=canonical)],
        [
            image(article_url=url, caption=caption, credit_raw=credit),
            image(article_url=url, position=1, image_url=caption),
        ],
        [link(article_url=url, byline=byline, target_url=canonical)],
    )
    assert (normalized.articles.height, normalized.images.height, normalized.related_links.height) == (
        1,
        2,
        1,
    )
    assert normalized.articles.schema == RAW_ARTICLES
    assert normalized.images.schema == RAW_IMAGES
    assert normalized.related_links.schema == RAW_RELATED_LINKS
