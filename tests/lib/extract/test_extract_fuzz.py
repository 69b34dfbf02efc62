"""Mutated and hostile HTML: extract_article never raises, never hangs (the suite's timeout), and what it returns
keeps the record's promises whatever the page: the article's own URL, a body or a one-line error saying why
not (never both, never neither), images and related cards numbered in document order from 0, each at an
absolute web address."""

from pathlib import Path
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.lib.extract import extract_article
from etl.lib.records import ExtractedArticle

URL = "https://example.com/news/1"

PAGES = [
    (Path(__file__).parents[2] / "fixtures" / "html" / name).read_bytes()
    for name in ("ar_figure_related.html", "en_div_soup_lazy.html", "de_jsonld_picture.html")
]
TAGS = [b"<div>", b"</div>", b"<figure>", b"<img src=x>", b"<h2>\xd8\xb0\xd8\xa7\xd8\xaa \xd8\xb5\xd9\x84\xd8\xa9</h2>",
        b"<a href='/x'>", b"</a>", b"<script type='application/ld+json'>{", b"<!--", b"<![CDATA[", b"\x00",
        b"<p>", b"<table><tr><td>", b"</body></html>", b"&#xffff;", b"<noscript>", b"<picture><source srcset=',,, 9w'>"]  # fmt: skip


def _is_absolute_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def assert_keeps_the_records_promises(article: ExtractedArticle) -> None:
    assert isinstance(article, ExtractedArticle)
    assert article.url == URL
    assert bool(article.body_text) != bool(article.error), (article.error, article.body_text[:80])
    assert article.error is None or "\n" not in article.error
    assert [image.position for image in article.images] == list(range(len(article.images)))
    assert [card.position for card in article.related] == list(range(len(article.related)))
    assert all(_is_absolute_web_address(image.url) for image in article.images), article.images
    assert all(_is_absolute_web_address(card.url) for card in article.related), article.related


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    page = bytearray(draw(st.sampled_from(PAGES)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        operation = draw(st.sampled_from(["cut", "insert_tag", "insert_bytes", "delete", "duplicate"]))
        at = draw(st.integers(min_value=0, max_value=len(page)))
        if operation == "cut":
            page = page[:at]
        elif operation == "insert_tag":
            page[at:at] = draw(st.sampled_from(TAGS)) * draw(st.integers(min_value=1, max_value=50))
        elif operation == "insert_bytes":
            page[at:at] = draw(st.binary(max_size=200))
        elif operation == "delete":
            page[at : at + draw(st.integers(min_value=1, max_value=2000))] = b""
        else:
            page[at:at] = page[at : at + draw(st.integers(min_value=1, max_value=3000))]
    return bytes(page)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    page=mutated_pages(),
    encoding=st.sampled_from([None, "utf-8", "windows-1256", "latin-1", "no-such-codec"]),
)
def test_mutated_html_never_raises_or_hangs(page, encoding):
    assert_keeps_the_records_promises(extract_article(page, URL, encoding=encoding))


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=3000))
def test_arbitrary_text_never_raises(text):
    assert_keeps_the_records_promises(extract_article(text, URL))


def test_deep_nesting_and_huge_attribute_lists_stay_bounded():
    nested = (
        b"<html><body>" + b"<div>" * 5000 + b"<p>deep text here</p>" + b"</div>" * 5000 + b"</body></html>"
    )
    many_images = (
        b"<html><body><article>"
        + b"<figure><img src='/a.jpg'><figcaption>x (AFP)</figcaption></figure>" * 3000
    )
    deep = extract_article(nested, URL)
    assert_keeps_the_records_promises(deep)
    assert "deep text here" in deep.body_text or deep.error
    photos = extract_article(many_images, URL)
    assert_keeps_the_records_promises(photos)
    assert photos.error or photos.images
