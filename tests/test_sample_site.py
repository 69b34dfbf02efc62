"""The bundled sample site: it serves what its feed and sitemap promise, speaks HTTP properly, and its ground
truth `expected.json` agrees with the pages it describes."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import resources
from urllib.parse import urlsplit

import httpx
import lxml.html
import pytest
from defusedxml import ElementTree
from protego import Protego

from demo import SampleSite, expected, serve_sample_site, sites_yaml
from demo.generate import MONTHS, WEEKDAYS, render_site
from etl.lib.sites import parse_sites

SITEMAP_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
PAGES = expected()["pages"]
PAGE_IDS = [page["path"].rsplit("/", 1)[-1] for page in PAGES]


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with serve_sample_site() as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def visible_text(tree: lxml.html.HtmlElement) -> str:
    """The page's text as a reader sees it, whitespace collapsed (no <head>, scripts or styles)."""
    tree = copy.deepcopy(tree)
    for element in tree.xpath("//script | //style | //head"):
        element.drop_tree()
    return " ".join(tree.text_content().split())


def parse_page(raw: bytes) -> lxml.html.HtmlElement:
    # Bytes, not text: lxml must find a legacy charset in the page's own <meta> tag, as a fetcher would.
    return lxml.html.document_fromstring(raw)


def meta(tree: lxml.html.HtmlElement, attribute: str, name: str) -> list[str]:
    return tree.xpath(f"//meta[@{attribute}=$name]/@content", name=name)


def jsonld_article(tree: lxml.html.HtmlElement) -> dict | None:
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        document = json.loads(script)
        for node in document.get("@graph", [document]):
            if node.get("@type") == "NewsArticle":
                return node
    return None


def utc(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------- discovery


def test_feed_and_sitemap_list_absolute_urls_of_every_page_on_the_server(site, client):
    feed = ElementTree.fromstring(client.get(site.url("/feed.xml")).content)
    feed_links = [item.findtext("link") for item in feed.iter("item")]
    sitemap = ElementTree.fromstring(client.get(site.url("/sitemap.xml")).content)
    sitemap_links = [loc.text for loc in sitemap.findall("sm:url/sm:loc", SITEMAP_NS)]

    for link in feed_links + sitemap_links:
        assert link.startswith(site.base_url + "/"), link
    feed_paths = {urlsplit(link).path for link in feed_links}
    sitemap_paths = {urlsplit(link).path for link in sitemap_links}
    assert feed_paths == {page["path"] for page in PAGES if page["in_feed"]}
    assert sitemap_paths == {page["path"] for page in PAGES if page["in_sitemap"]}
    assert feed_paths | sitemap_paths == {page["path"] for page in PAGES}
    assert feed_paths & sitemap_paths, "the feed and the sitemap should overlap, as real ones do"


def test_news_sitemap_titles_and_dates_match_the_pages(site, client):
    sitemap = ElementTree.fromstring(client.get(site.url("/sitemap.xml")).content)
    by_path = {page["path"]: page for page in PAGES}
    for url in sitemap.findall("sm:url", SITEMAP_NS):
        page = by_path[urlsplit(url.findtext("sm:loc", namespaces=SITEMAP_NS)).path]
        assert url.findtext("news:news/news:title", namespaces=SITEMAP_NS) == page["title"]
        published = url.findtext("news:news/news:publication_date", namespaces=SITEMAP_NS)
        assert (utc(published) if "T" in published else published + "T00:00:00Z") == page["published_at"]
        assert url.findtext("news:news/news:keywords", namespaces=SITEMAP_NS) == ", ".join(page["tags"])
        assert url.findtext("sm:lastmod", namespaces=SITEMAP_NS)


def test_robots_allows_articles_disallows_private_and_names_the_sitemap(site, client):
    robots = Protego.parse(client.get(site.url("/robots.txt")).text)
    assert list(robots.sitemaps) == [site.url("/sitemap.xml")]
    assert all(robots.can_fetch(site.url(page["path"]), "Akhbar") for page in PAGES)
    assert not robots.can_fetch(site.url(expected()["disallowed_path"]), "Akhbar")
    # The disallowed page exists, so only robots.txt keeps a crawler away from it.
    assert client.get(site.url(expected()["disallowed_path"])).status_code == 200


def test_homepage_announces_the_feed_and_links_every_article(site, client):
    tree = parse_page(client.get(site.url("/")).content)
    assert tree.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href") == [
        site.url("/feed.xml")
    ]
    assert {page["path"] for page in PAGES} <= set(tree.xpath("//a/@href"))


def test_sites_yaml_is_a_valid_sites_file_for_the_served_site(site):
    sites = parse_sites(sites_yaml(site.base_url))
    assert sites.allow_private_networks
    (aawsat,) = sites.sites
    assert (aawsat.name, aawsat.language, aawsat.delay_seconds) == ("aawsat", "ar", 0.05)
    assert aawsat.feeds == [site.url("/feed.xml")]
    assert aawsat.sitemaps == [site.url("/sitemap.xml")]


# ---------------------------------------------------------------------------------------------- HTTP


@pytest.mark.parametrize(
    ("path", "content_type"),
    [(page["path"], page["content_type"]) for page in PAGES]
    + [
        ("/feed.xml", "application/rss+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_every_path_answers_200_with_its_content_type(site, client, path, content_type):
    response = client.get(site.url(path))
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["etag"] and response.headers["last-modified"]
    assert site.base_url.encode() in response.content and b"__BASE_URL__" not in response.content


@pytest.mark.parametrize(
    "path",
    ["/no-such-article", "/world/asia/", "/pages/../server.py", "/../expected.json", "/static/logo.svg"],
)
def test_unknown_paths_answer_404(site, client, path):
    assert client.get(site.base_url + path).status_code == 404


def test_windows_1256_page_declares_its_charset_only_in_markup(site, client):
    (page,) = [page for page in PAGES if page["encoding"] == "windows-1256"]
    response = client.get(site.url(page["path"]))
    assert response.headers["content-type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    declared = re.search(
        rb'<meta http-equiv="Content-Type" content="text/html; charset=([\w-]+)"', response.content
    )
    assert declared and declared.group(1) == b"windows-1256"
    tree = parse_page(response.content)
    assert tree.findtext(".//h1").strip() == page["title"]
    assert response.content.decode("windows-1256").count(page["title"]) >= 2


def test_conditional_get_answers_304_and_a_changed_page_200(client):
    path = PAGES[0]["path"]
    with serve_sample_site() as site:
        first = client.get(site.url(path))
        etag, last_modified = first.headers["etag"], first.headers["last-modified"]
        assert client.get(site.url(path), headers={"If-None-Match": etag}).status_code == 304
        assert client.get(site.url(path), headers={"If-Modified-Since": last_modified}).status_code == 304
        assert client.get(site.url(path), headers={"If-None-Match": '"stale"'}).status_code == 200

        site.transform = lambda _path, body: body.replace("سيرغي لافروف".encode(), "لافروف".encode())
        edited = client.get(
            site.url(path), headers={"If-None-Match": etag, "If-Modified-Since": last_modified}
        )
        assert edited.status_code == 200
        assert edited.headers["etag"] != etag
        assert parsedate_to_datetime(edited.headers["last-modified"]) > parsedate_to_datetime(last_modified)
        assert (
            client.get(
                site.url(path), headers={"If-Modified-Since": edited.headers["last-modified"]}
            ).status_code
            == 304
        )
        assert [status for _, logged, status in site.request_log if logged == path] == [
            200,
            304,
            304,
            200,
            200,
            304,
        ]


def test_transform_rewrites_bodies_while_running_and_request_log_counts(client):
    redesigned, other = PAGES[1]["path"], PAGES[0]["path"]
    with serve_sample_site(transform=lambda path, body: body.replace(b"<h1", b"<h1 data-redesign")) as site:
        assert b"<h1 data-redesign" in client.get(site.url(redesigned)).content
        site.set_transform(
            lambda path, body: b"<html><body>gone</body></html>" if path == redesigned else body
        )
        assert client.get(site.url(redesigned)).content == b"<html><body>gone</body></html>"
        assert b"<h1 data-redesign" not in client.get(site.url(other)).content
        site.transform = None
        assert PAGES[1]["title"] in client.get(site.url(redesigned)).text
        client.head(site.url("/feed.xml"))
        assert len(site.request_log) == 5
        assert site.request_log[-1] == ("HEAD", "/feed.xml", 200)
        assert [status for _, _, status in site.requests_for(redesigned)] == [200, 200, 200]


def test_a_failing_transform_answers_500(client):
    def broken(path: str, body: bytes) -> bytes:
        raise RuntimeError("boom")

    with serve_sample_site(transform=broken) as site:
        assert client.get(site.url("/")).status_code == 500
        assert site.request_log == [("GET", "/", 500)]


# ---------------------------------------------------------------------------------------------- ground truth


@pytest.fixture(scope="module")
def trees(site, client) -> dict[str, lxml.html.HtmlElement]:
    return {page["path"]: parse_page(client.get(site.url(page["path"])).content) for page in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_metadata_in_expected_matches_the_page(page, trees, site):
    tree = trees[page["path"]]
    article = jsonld_article(tree)
    assert tree.xpath("//link[@rel='canonical']/@href") == [
        page["canonical_url"].replace("__BASE_URL__", site.base_url)
    ]
    assert meta(tree, "property", "og:title") == [page["title"]]
    assert meta(tree, "property", "og:description") == [page["description"]]
    assert " ".join(tree.findtext(".//h1").split()) == page["title"]
    assert tree.xpath("/html/@dir") == ["rtl"] and tree.xpath("/html/@lang") == ["ar"]

    published = meta(tree, "property", "article:published_time") or (
        [article["datePublished"]] if article else []
    )
    if page["published_precision"] == "day":
        assert published == []
        day = datetime.fromisoformat(page["published_at"])
        assert f"نُشر: {WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}" in visible_text(
            tree
        )
    else:
        assert [utc(value) for value in published] == [page["published_at"]]
    modified = meta(tree, "property", "article:modified_time") or (
        [article["dateModified"]] if article and "dateModified" in article else []
    )
    assert [utc(value) for value in modified] == ([page["modified_at"]] if page["modified_at"] else [])

    section = meta(tree, "property", "article:section") or ([article["articleSection"]] if article else [])
    assert section == [page["section"]]

    tags = meta(tree, "property", "article:tag") or [
        tag.strip() for value in meta(tree, "name", "keywords") for tag in value.split(",")
    ]
    if article and "keywords" in article:
        keywords = article["keywords"]
        tags = keywords.split(",") if isinstance(keywords, str) else keywords
    assert tags == page["tags"]

    declared_authors = meta(tree, "name", "author") or [
        author["name"] for author in (article or {}).get("author", [])
    ]
    text = visible_text(tree)
    if page["style"] != "divs":
        assert declared_authors == page["authors"]
    for author in page["authors"]:
        assert author in text


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_body_images_and_related_in_expected_appear_on_the_page(page, trees, site):
    tree = trees[page["path"]]
    text = visible_text(tree)

    for paragraph in page["body_paragraphs"]:
        assert paragraph in text
    body = "\n".join(page["body_paragraphs"])
    for snippet in page["body_contains"]:
        assert snippet in body
    for snippet in page["body_excludes"]:
        assert snippet in text, snippet
        assert snippet not in body, snippet

    image_sources = tree.xpath("//img/@data-src | //img[not(@data-src)]/@src")
    article_sources = [
        source for source in image_sources if source in {image["path"] for image in page["images"]}
    ]
    # Document order, lead first, each image once (the <noscript> copy of a lazy image does not count).
    assert list(dict.fromkeys(article_sources)) == [image["path"] for image in page["images"]]
    assert [image["position"] for image in page["images"]] == list(range(len(page["images"])))
    assert [image["is_lead"] for image in page["images"]] == [True] + [False] * (len(page["images"]) - 1)
    assert any("logo" in source for source in image_sources) and any(
        "pixel.gif" in source for source in image_sources
    )
    for image in page["images"]:
        assert image["caption"] in text and image["credit_raw"] in text
        assert (
            image["credit"] in {"AFP", "Reuters", "dpa", "AP", "EPA", "Getty"}
            or image["credit"] == image["credit_raw"]
        )
        (element,) = [
            img
            for img in tree.xpath("//img")
            if image["path"] in (img.get("data-src"), img.get("src")) and img.getparent().tag != "noscript"
        ]
        assert element.get("alt") == image["alt"]
        assert (element.get("width"), element.get("height")) == (
            (str(image["width"]), str(image["height"])) if image["width"] else (None, None)
        )

    hrefs = {href.replace(site.base_url, "") for href in tree.xpath("//a/@href")}
    assert page["related"], "every page has related cards"
    for card in page["related"]:
        assert card["url"].replace("__BASE_URL__", "") in hrefs
        for field in (
            "title",
            "section",
            "summary",
            "image_caption",
            "byline",
            "byline_source",
            "byline_place",
        ):
            if card[field] is not None:
                assert card[field] in text, (field, card[field])
        expected_kind = "organisation" if card["byline"].startswith("«") else "person"
        assert card["byline_kind"] == expected_kind
    in_site = [card for card in page["related"] if card["target_path"]]
    assert all(card["target_path"] in {other["path"] for other in PAGES} for card in in_site)


def test_related_cards_link_mostly_inside_the_site_and_some_outside():
    cards = [card for page in PAGES for card in page["related"]]
    inside = [card for card in cards if card["target_path"]]
    assert len(inside) > len(cards) / 2
    assert any(card["url"].startswith("https://") for card in cards), "a card pointing to another host"
    assert any(card["target_path"] is None and card["url"].startswith("__BASE_URL__") for card in cards), (
        "a card pointing to a page this site does not serve"
    )


def test_the_sample_covers_the_credit_and_markup_variety_it_promises():
    credits = {image["credit_raw"] for page in PAGES for image in page["images"]}
    assert {"أ.ف.ب", "رويترز", "د.ب.أ", "أ.ب", "إ.ب.أ", "أرشيفية - رويترز", "AFP/Getty Images"} <= credits
    assert {page["style"] for page in PAGES} == {"semantic", "divs", "jsonld"}
    assert len(PAGES) >= 8
    assert {page["published_precision"] for page in PAGES} == {"second", "day"}
    assert {card["byline_kind"] for page in PAGES for card in page["related"]} == {"organisation", "person"}


def test_expected_fills_the_base_url():
    filled = expected("http://127.0.0.1:9/")
    assert "__BASE_URL__" not in json.dumps(filled, ensure_ascii=False)
    assert filled["pages"][0]["url"] == "http://127.0.0.1:9" + PAGES[0]["path"]


def test_site_files_are_package_data_and_match_their_generator(tmp_path):
    package = resources.files("demo")
    for name in ["feed.xml", "sitemap.xml", "robots.txt", "index.html", "expected.json"]:
        assert package.joinpath(name).is_file(), name
    for page in PAGES:
        assert package.joinpath(page["file"]).is_file(), page["file"]
    # The committed files are what content.py renders to: an edit by hand would be lost on the next render.
    for written in render_site(tmp_path):
        relative = written.relative_to(tmp_path)
        assert written.read_bytes() == package.joinpath(*relative.parts).read_bytes(), str(relative)
