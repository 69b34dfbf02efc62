"""Mutated and hostile HTML: extract_article never raises and never hangs."""

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.lib.extract import extract_article
from etl.lib.records import ExtractedArticle

PAGES = [
    (Path(__file__).parents[2] / "fixtures" / "html" / name).read_bytes()
    for name in ("ar_figure_related.html", "en_div_soup_lazy.html", "de_jsonld_picture.html")
]
TAGS = [b"<div>", b"</div>", b"<figure>", b"<img src=x>", b"<h2>\xd8\xb0\xd8\xa7\xd8\xaa \xd8\xb5\xd9\x84\xd8\xa9</h2>",
        b"<a href='/x'>", b"</a>", b"<script type='application/ld+json'>{", b"<!--", b"<![CDATA[", b"\x00",
        b"<p>", b"<table><tr><td>", b"</body></html>", b"&#xffff;", b"<noscript>", b"<picture><source srcset=',,, 9w'>"]  # fmt: skip

# Generous per-page bound: the machine is shared; a real hang would blow far past it.
MAX_SECONDS = 10.0


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
    started = time.perf_counter()
    article = extract_article(page, "https://example.com/news/1", encoding=encoding)
    assert time.perf_counter() - started < MAX_SECONDS
    assert isinstance(article, ExtractedArticle)
    assert article.error is None or "\n" not in article.error


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=3000))
def test_arbitrary_text_never_raises(text):
    article = extract_article(text, "https://example.com/news/1")
    assert isinstance(article, ExtractedArticle)


def test_deep_nesting_and_huge_attribute_lists_stay_bounded():
    nested = (
        b"<html><body>" + b"<div>" * 5000 + b"<p>deep text here</p>" + b"</div>" * 5000 + b"</body></html>"
    )
    many_images = (
        b"<html><body><article>"
        + b"<figure><img src='/a.jpg'><figcaption>x (AFP)</figcaption></figure>" * 3000
    )
    for page in (nested, many_images):
        started = time.perf_counter()
        article = extract_article(page, "https://example.com/news/1")
        assert time.perf_counter() - started < MAX_SECONDS
        assert isinstance(article, ExtractedArticle)
