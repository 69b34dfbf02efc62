"""The readability gate: trafilatura's comparison is skipped only where readability cannot change the body."""

import json
from pathlib import Path

import lxml.html
import pytest
import trafilatura
from lxml.etree import Element, SubElement
from trafilatura import core as trafilatura_core
from trafilatura import external as trafilatura_external
from trafilatura.settings import Extractor

from etl.lib.extract import extract_article
from etl.lib.extract.cascade import (
    CHECKED_VERSION,
    install_readability_gate,
    readability_cannot_win,
    uninstall_readability_gate,
)

SAMPLE_SITE = Path(__file__).parents[3] / "demo"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "html"
SENTENCE = "The council approved the new bridge after a long debate about its cost. "


def _body(paragraphs: list[str], extra: str | None = None):
    """trafilatura's own result as the comparison receives it: a <body> of converted elements."""
    body = Element("body")
    for text in paragraphs:
        SubElement(body, "p").text = text
    if extra:
        SubElement(body, extra).text = "x"
    return body


def _page(text: str, iframes: int = 0):
    frames = "".join('<iframe src="https://www.youtube.com/embed/x"></iframe>' for _ in range(iframes))
    return lxml.html.document_fromstring(f"<html><body><div><p>{text}</p>{frames}</div></body></html>")


def _case(own_chars: int, page_chars: int, **body_options):
    own = (SENTENCE * (own_chars // len(SENTENCE) + 1))[:own_chars]
    page = own + " " + "m" * (page_chars - own_chars - 1)
    return _page(page), _body([own], **body_options), own


def test_readability_cannot_win_when_the_page_holds_at_most_twice_the_own_text():
    options = Extractor()
    raw, body, own = _case(1000, 2000)
    assert readability_cannot_win(raw, body, own, options)
    raw, body, own = _case(1000, 2001)
    assert not readability_cannot_win(raw, body, own, options)


def test_a_video_iframe_counts_as_the_text_readability_gives_it():
    options = Extractor()
    own = (SENTENCE * 20)[:1000]
    assert readability_cannot_win(_page(own + " " + "m" * 994, iframes=1), _body([own]), own, options)
    assert not readability_cannot_win(_page(own + " " + "m" * 995, iframes=1), _body([own]), own, options)


@pytest.mark.parametrize(
    ("why", "body_options", "own_chars", "recall"),
    [
        ("short own text: justext is consulted", {}, 200, False),
        ("unclean own text: justext is consulted", {"extra": "figure"}, 1000, False),
        ("no paragraph: readability may replace it", {}, 1000, False),
        ("recall prefers longer readability text", {}, 1000, True),
    ],
)
def test_the_comparison_runs(why, body_options, own_chars, recall):
    raw, body, own = _case(own_chars, own_chars + 10, **body_options)
    if why.startswith("no paragraph"):
        body = _body([])
        SubElement(body, "table").text = own
    assert not readability_cannot_win(raw, body, own, Extractor(recall=recall)), why


def test_the_gate_is_installed_for_the_locked_trafilatura():
    # Fails after an upgrade: check the gate's argument against the new compare_extraction, then CHECKED_VERSION.
    assert trafilatura.__version__ == CHECKED_VERSION
    assert install_readability_gate()
    assert hasattr(trafilatura_core.compare_extraction, "ungated")


def _pages() -> list[tuple[str, bytes, str | None]]:
    pages = [(path.name, path.read_bytes(), None) for path in sorted(FIXTURES.glob("*.html"))]
    expected = json.loads((SAMPLE_SITE / "expected.json").read_text(encoding="utf-8"))
    for page in expected["pages"]:
        raw = (SAMPLE_SITE / page["file"]).read_bytes().replace(b"__BASE_URL__", b"http://127.0.0.1:8123")
        pages.append((page["url"].replace("__BASE_URL__", "http://127.0.0.1:8123"), raw, page["encoding"]))
    return pages


def test_gated_extraction_equals_trafilatura_s_own_on_every_test_page(monkeypatch):
    readability_runs = []
    try_readability = trafilatura_external.try_readability
    monkeypatch.setattr(
        trafilatura_external,
        "try_readability",
        lambda tree: readability_runs.append(1) or try_readability(tree),
    )
    pages = _pages()
    try:
        uninstall_readability_gate()
        ungated = [
            extract_article(raw, f"http://example.test/{name}", encoding=enc) for name, raw, enc in pages
        ]
        runs_ungated = len(readability_runs)
    finally:
        install_readability_gate()
    gated = [extract_article(raw, f"http://example.test/{name}", encoding=enc) for name, raw, enc in pages]
    runs_gated = len(readability_runs) - runs_ungated

    assert gated == ungated
    # both branches were taken: some pages skipped readability, and some still ran it
    assert 0 < runs_gated < runs_ungated
