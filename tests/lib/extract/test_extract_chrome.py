"""Menus, footers and sidebars are not the article: neither its text nor its metadata comes from them."""

from etl.lib.extract import extract_article

_PARAGRAPHS = "".join(
    f"<p>The council met on Tuesday evening and approved the budget for the coming year, item {n}, after a "
    "long debate about the new bridge over the river and the cost of repairing the old one.</p>"
    for n in range(6)
)


def _page(*, nav: str = "", footer: str = "", aside: str = "") -> str:
    return (
        "<html><head><title>Council approves the budget</title></head><body>"
        f"<nav>{nav}</nav>"
        f"<main><article><h1>Council approves the budget</h1>{_PARAGRAPHS}</article></main>"
        f"<aside>{aside}</aside><footer>{footer}</footer></body></html>"
    )


def test_a_footer_copyright_year_is_not_the_publication_date():
    page = _page(footer="<p>© 2015 City News. All rights reserved.</p>")

    article = extract_article(page, "https://news.example/council-budget")

    assert article.body_text.startswith("The council met on Tuesday evening")
    assert article.published_at is None


def test_a_sidebar_tag_cloud_and_menu_are_neither_tags_nor_section():
    cloud = "".join(
        f'<a href="https://news.example/tag/{name}/">{name}</a> ' for name in ("football", "rain")
    )
    menu = "".join(
        f'<a href="https://news.example/category/{name}/">{name.title()}</a> '
        for name in ("sport", "weather")
    )
    page = _page(nav=f'<div class="meta">{menu}</div>', aside=f'<div class="tags">{cloud}</div>')

    article = extract_article(page, "https://news.example/council-budget")

    assert article.tags == []
    assert article.section is None
    assert "football" not in article.body_text


def test_the_article_text_and_its_own_date_stay():
    page = _page(footer="<p>© 2015 City News.</p>").replace(
        "<h1>", '<time datetime="2024-03-05T09:30:00Z">5 March 2024</time><h1>'
    )

    article = extract_article(page, "https://news.example/council-budget")

    assert article.published_at is not None and article.published_at.startswith("2024-03-05")
    assert article.body_text.count("The council met on Tuesday evening") == 6
