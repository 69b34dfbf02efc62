"""Blocks beside the article that hold nothing to read go before trafilatura; every block of prose stays."""

from lxml.html import document_fromstring

from etl.lib.extract import extract_article
from etl.lib.extract.regions import Regions, find_regions

_PARAGRAPHS = "".join(
    f"<p>The council met on Tuesday evening and approved the budget for the coming year, item {n}, after a "
    "long debate about the new bridge over the river and the cost of repairing the old one.</p>"
    for n in range(5)
)
_LATER = (
    "<p>The committee will meet again in the spring to review the first bills for the bridge, and the mayor "
    "promised to publish every one of them.</p>"
)
_TEASERS = "".join(
    f'<li><a href="https://news.example/story-{n}">Another story about the harbour, number {n}</a></li>'
    for n in range(8)
)


def _page(beside: str) -> str:
    return (
        "<html><head><title>Council approves the budget</title></head><body><div class='page'>"
        f"<div class='teasers'><ul>{_TEASERS}</ul></div><div class='slot-728x90'></div>"
        f"<div class='main'><article><h1>Council approves the budget</h1>{_PARAGRAPHS}</article></div>"
        f"{beside}</div></body></html>"
    )


def _dropped(page: str) -> list[str]:
    tree = document_fromstring(page)
    regions = find_regions(tree, "https://news.example/council-budget")
    assert next(regions.article.iter("article"), None) is not None
    return [element.get("class") for element in regions.textless_outside_article()]


def test_link_lists_and_empty_slots_beside_the_article_go():
    assert _dropped(_page("")) == ["slot-728x90", "teasers"]


def test_prose_beside_the_article_stays_even_where_no_paragraph_is_found():
    # text between line breaks in a <span>: no paragraph block, but text a reader reads
    loose = "<span>The mayor said the bridge would open next spring.<br>Work starts in May.</span>"
    continued = f"<div class='continued'>{_LATER}</div>"

    assert _dropped(_page(f"<div class='loose'>{loose}</div>{continued}")) == ["slot-728x90", "teasers"]


def test_the_article_text_survives_the_pruning():
    article = extract_article(_page(""), "https://news.example/council-budget")

    assert article.body_text.count("The council met on Tuesday evening") == 5
    assert "Another story about the harbour" not in article.body_text


def test_a_region_the_parser_put_outside_the_body_leaves_the_page_whole():
    tree = document_fromstring(_page(""))
    title = tree.find("head/title")

    assert Regions(article=title).textless_outside_article() == []


def test_trafilatura_metadata_stands_when_the_page_has_no_article_text():
    # a gallery: pictures and no text, the date only in its address (which htmldate reads)
    page = (
        "<html><head><title>The harbour at night</title></head><body>"
        "<img src='https://news.example/1.jpg'><img src='https://news.example/2.jpg'></body></html>"
    )

    article = extract_article(page, "https://news.example/2024/03/05/harbour-gallery")

    assert article.error == "no article text found"
    assert article.published_at == "2024-03-05"
    assert article.field_sources["published_at"] == "trafilatura"
