"""Feed and sitemap parsing on real feeds and hostile XML, and `discover` against loopback sites."""

from __future__ import annotations

import contextlib
import gzip
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.lib.discover.discovery import URL_LIST_SOURCE, discover, discovery_failed_everywhere
from etl.lib.discover.feeds import FeedError, feed_links, parse_feed, parse_localized_rfc822
from etl.lib.discover.safexml import UnsafeXmlError, parse_w3c_datetime
from etl.lib.discover.sitemaps import SitemapError, parse_sitemap
from etl.lib.fetch import FetchSettings
from etl.lib.sites import SitesFile
from etl.lib.urls import canonicalize_url
from tests.hostile_server import LoopbackServer, gzip_bomb, page

# the shared corpus sits next to the repository (../shared); skip its tests where it is not checked out
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "feeds-and-sitemaps"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus/feeds-and-sitemaps")
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"feed corpus not found at {CORPUS}")
CASES = (
    [json.loads(line) for line in (CORPUS / "feeds.jsonl").read_text().splitlines() if line.strip()]
    if CORPUS.exists()
    else []
)


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


@pytest.mark.parametrize("case", CASES, ids=[case["file"].split("/")[-1] for case in CASES])
@needs_corpus
def test_real_feeds_match_their_ground_truth(case):
    found = parse_feed((CORPUS / case["file"]).read_bytes(), "https://feeds.example.org/feed")
    assert len(found) == case["expected_item_count"]
    for row, expected in zip(found, case["expected_items"], strict=True):
        assert row.url == canonicalize_url(expected["link"].strip())
        assert row.source_kind == "feed"
        if "\ufffd" not in expected["title"]:  # the snapshot itself mis-decoded this feed's titles
            assert row.title == _squash(expected["title"])
        if expected.get("isoDate"):
            assert row.published_at == parse_w3c_datetime(expected["isoDate"]).replace(microsecond=0)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40+00:00"),
        ("mar., 02 janv. 2024 10:00:00 +0100", "2024-01-02T09:00:00+00:00"),
        ("Di, 05 Mär 2024 08:00:00 GMT", "2024-03-05T08:00:00+00:00"),
        ("الثلاثاء، ٠٥ مارس ٢٠٢٤ ١٠:٣٠:٠٠ +0300", "2024-03-05T07:30:00+00:00"),
        ("05 كانون الثاني 2024 10:30:00 +0000", "2024-01-05T10:30:00+00:00"),
        ("not a date", None),
    ],
)
def test_localized_rfc822_dates(text, iso):
    expected = parse_w3c_datetime(iso) if iso else None
    assert parse_localized_rfc822(text) == expected


@needs_corpus
def test_undeclared_latin1_feed_with_portuguese_dates():
    uol = parse_feed((CORPUS / "xml/rss-parser__uolNoticias.rss").read_bytes(), "https://x.org/")
    assert uol[0].published_at == parse_w3c_datetime("2018-09-24T22:42:40Z")
    assert all(row.published_at is not None for row in uol)
    # no XML declaration, no charset: the titles must still not come out as mojibake or U+FFFD
    assert uol[0].title == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"


@needs_corpus
def test_feed_keeps_keywords_and_strips_tracking():
    guardian = parse_feed((CORPUS / "xml/rss-parser__guardian.rss").read_bytes(), "https://x.org/")
    assert guardian[0].keywords[:2] == ["Donald Trump", "State of the Union address"]
    npr = parse_feed((CORPUS / "xml/trafilatura__npr-feed.json").read_bytes(), "https://x.org/")
    assert all("utm_" not in row.url for row in npr)


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<ROOT><item><title>&lol9;</title><link>http://x.org/&lol9;</link></item></ROOT>"""
HOSTILE = {
    "billion-laughs-rss": LAUGHS.replace(b"ROOT", b"rss").replace(b"<item>", b"<channel><item>").replace(
        b"</item>", b"</item></channel>"),
    "billion-laughs-urlset": LAUGHS.replace(b"ROOT", b"urlset").replace(b"item>", b"url>").replace(b"link>", b"loc>"),
    "external-entity": b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>http://x.org/&xxe;</loc></url></urlset>""",
    "external-parameter-entity": b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/x.dtd"> %ext;]>
<rss version="2.0"><channel><item><link>http://x.org/a</link></item></channel></rss>""",
    "quadratic-blowup": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"x" * 50_000 + b'">]><rss><channel><item><title>'
    + b"&a;" * 50_000 + b"</title></item></channel></rss>",
    "malformed-with-entities": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rss><channel><item>&a;<link>x & y',
}  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap], ids=["feed", "sitemap"])
def test_hostile_xml_fails_safely_and_fast(name, parse):
    started = time.monotonic()
    with pytest.raises(UnsafeXmlError):
        parse(HOSTILE[name], "https://x.org/feed")
    assert time.monotonic() - started < 2


def test_rss_091_doctype_without_entities_is_still_read():
    body = b"""<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>t</title>
<item><title>Old style</title><link>http://x.org/old</link></item></channel></rss>"""
    [row] = parse_feed(body, "https://x.org/feed")
    assert (row.url, row.title) == ("http://x.org/old", "Old style")


@pytest.mark.parametrize(
    "body", [b"<html><body>not a feed</body></html>", b'{"items": 3}', b"{not json", b""]
)
def test_not_a_feed(body):
    with pytest.raises(FeedError):
        parse_feed(body, "https://x.org/feed")


URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://aawsat.com/node/1?utm_source=sm</loc><lastmod>2025-01-06T10:00:00+03:00</lastmod></url>
  <url>
    <loc>https://aawsat.com/node/2</loc>
    <news:news>
      <news:publication><news:name>Asharq Al-Awsat</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2025-01-06T09:30:00Z</news:publication_date>
      <news:title>السعودية تستضيف قمة</news:title>
      <news:keywords>السعودية, قمة ,سياسة</news:keywords>
    </news:news>
  </url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>""".replace("\n", "\r\n").encode()
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>/sitemaps/2024.xml</loc><lastmod>2024-12-31</lastmod></sitemap>
<sitemap><loc>https://aawsat.com/sitemaps/2025.xml.gz</loc></sitemap></sitemapindex>"""


def test_sitemap_and_news_sitemap_fields():
    sitemap = parse_sitemap(URLSET, "https://aawsat.com/sitemap.xml", "aawsat")
    plain, news = sitemap.urls
    assert (plain.url, plain.source_kind, plain.site) == ("https://aawsat.com/node/1", "sitemap", "aawsat")
    assert plain.lastmod == parse_w3c_datetime("2025-01-06T07:00:00Z")
    assert news.source_kind == "news_sitemap"
    assert news.title == "السعودية تستضيف قمة"
    assert news.published_at == parse_w3c_datetime("2025-01-06T09:30:00+00:00")
    assert news.keywords == ["السعودية", "قمة", "سياسة"]
    assert len(sitemap.errors) == 1 and "javascript" in sitemap.errors[0]


def test_sitemap_index_gzip_and_text():
    index = parse_sitemap(gzip.compress(INDEX), "https://aawsat.com/sitemap_index.xml")
    assert [child.url for child in index.sitemaps] == [
        "https://aawsat.com/sitemaps/2024.xml", "https://aawsat.com/sitemaps/2025.xml.gz"]  # fmt: skip
    assert index.sitemaps[0].lastmod is not None and index.urls == []
    text = parse_sitemap(b"https://x.org/a\n\nhttps://x.org/b#top\n", "https://x.org/sitemap.txt")
    assert [row.url for row in text.urls] == ["https://x.org/a", "https://x.org/b"]


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(bytes(80 * 1024 * 1024)),
        b"<html><body/></html>",
        b"<urlset><url>",
        gzip.compress(URLSET)[:-20],
    ],
    ids=["gzip-bomb", "wrong-root", "malformed", "truncated-gzip"],
)
def test_bad_sitemaps_raise_sitemap_error(body):
    with pytest.raises(SitemapError):
        parse_sitemap(body, "https://x.org/sitemap.xml")


def test_homepage_feed_links():
    html = b"""<html><head><link rel="alternate" type="application/rss+xml" href="/feed?utm_source=x">
    <link rel="alternate" type="application/atom+xml" href="https://x.org/atom.xml">
    <link rel="alternate" hreflang="en" href="/en/"><link rel="stylesheet" href="/s.css"></head></html>"""
    assert feed_links(html, "https://x.org/") == ["https://x.org/feed", "https://x.org/atom.xml"]


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>From the feed</title><link>/news/1?utm_medium=rss</link><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate>
<category>Politics</category></item></channel></rss>"""


def _site_routes(port_placeholder: str = "") -> dict:
    news = URLSET.replace(b"https://aawsat.com", b"")
    return {
        "/robots.txt": page("User-agent: *\nDisallow: /private/\nSitemap: /sitemap_index.xml\n", content_type="text/plain"),
        "/": page(b'<html><head><link rel="alternate" type="application/rss+xml" href="/auto-feed"></head></html>'),
        "/feed": page(RSS, content_type="application/rss+xml"),
        "/auto-feed": page(RSS.replace(b"/news/1", b"/news/3"), content_type="application/rss+xml"),
        "/sitemap_index.xml": page(INDEX.replace(b"https://aawsat.com", b""), content_type="application/xml"),
        "/sitemaps/2024.xml": page(news.replace(b"/node/", b"/news/"), content_type="application/xml"),
        "/sitemaps/2025.xml.gz": page(gzip.compress(
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/news/9</loc></url></urlset>'),
            content_type="application/x-gzip"),
        "/loop-index.xml": page(b"<sitemapindex><sitemap><loc>/loop-index.xml</loc></sitemap></sitemapindex>",
                                content_type="application/xml"),
        "/laughs.xml": page(HOSTILE["billion-laughs-rss"], content_type="application/xml"),
        "/private/feed": page(RSS, content_type="application/rss+xml"),
    }  # fmt: skip


def test_discover_reads_every_kind_of_source():
    with LoopbackServer(_site_routes()) as server:
        sites = SitesFile(allow_private_networks=True, sites=[{
            "name": "local", "homepage": server.url("/"), "delay_seconds": 0,
            "feeds": [server.url(p) for p in ("/feed", "/laughs.xml", "/missing", "/private/feed")],
            "sitemaps": [server.url("/loop-index.xml")],
            "urls": [server.url("/news/1#comments"), server.url("/news/7")],
        }])  # fmt: skip
        found, errors = discover(sites)
        by_source = {}
        for row in found:
            by_source.setdefault((row.source_kind, row.source_url.replace(server.url(""), "")), []).append(
                row
            )
        assert sorted(by_source) == [
            ("feed", "/auto-feed"), ("feed", "/feed"), ("news_sitemap", "/sitemaps/2024.xml"),
            ("sitemap", "/sitemaps/2024.xml"), ("sitemap", "/sitemaps/2025.xml.gz"), ("url_list", URL_LIST_SOURCE)]  # fmt: skip
        # the same article from two sources stays two rows, each with what its source said
        news1 = [row for row in found if row.url == server.url("/news/1")]
        assert sorted(row.source_kind for row in news1) == ["feed", "sitemap", "url_list"]
        [from_feed] = [row for row in news1 if row.source_kind == "feed"]
        assert (from_feed.title, from_feed.keywords) == ("From the feed", ["Politics"])
        [news] = by_source[("news_sitemap", "/sitemaps/2024.xml")]
        assert news.title == "السعودية تستضيف قمة" and news.site == "local"
        messages = {error.source_url.replace(server.url(""), ""): error.message for error in errors}
        assert messages["/laughs.xml"].startswith("refused unsafe XML")
        assert messages["/missing"] == "http_error: HTTP 404 Not Found"
        assert messages["/private/feed"].startswith("robots_denied")
        assert "javascript" in messages["/sitemaps/2024.xml"]
        assert server.counter.calls["/loop-index.xml"] == 1
        assert server.counter.calls["/robots.txt"] == 1


def test_discover_refuses_private_addresses_unless_allowed():
    with LoopbackServer(_site_routes()) as server:
        sites = SitesFile(sites=[{"name": "local", "feeds": [server.url("/feed")]}])
        found, errors = discover(sites, settings=FetchSettings.from_sites(sites))
        assert found == []
        assert errors and errors[0].message.startswith("blocked_private")
        assert server.counter.calls == {}


def test_since_skips_old_children_of_a_sitemap_index():
    with LoopbackServer(_site_routes()) as server:
        sites = SitesFile(allow_private_networks=True, sites=[{
            "name": "local", "sitemaps": [server.url("/sitemap_index.xml")], "delay_seconds": 0}])  # fmt: skip
        found, _ = discover(sites, since=parse_w3c_datetime("2025-01-01"))
        assert "/sitemaps/2024.xml" not in server.counter.calls  # lastmod 2024-12-31
        assert server.counter.calls["/sitemaps/2025.xml.gz"] == 1  # undated: always read
        assert [row.url for row in found] == [server.url("/news/9")]


def test_discovery_documents_may_exceed_the_page_cap_but_bombs_may_not():
    entries = "".join(f"<url><loc>/news/{n}</loc></url>" for n in range(50_000))  # 1.6 MB: over the page cap
    big = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()
    routes = {"/big.xml": page(big, content_type="application/xml"), "/bomb.xml": gzip_bomb(2 * 1024**3)}
    with LoopbackServer(routes) as server:
        sites = SitesFile(allow_private_networks=True, sites=[{
            "name": "big", "sitemaps": [server.url("/big.xml")], "feeds": [server.url("/bomb.xml")],
            "delay_seconds": 0}])  # fmt: skip
        settings = FetchSettings(allow_private_networks=True, max_wire_bytes=2**20, max_decoded_bytes=2**20)
        found, errors = discover(sites, settings=settings)
        assert len(found) == 50_000
        [bomb] = errors
        assert bomb.source_url.endswith("/bomb.xml") and bomb.message.startswith("too_large")


def test_sitemap_cap_reads_the_newest_children_and_reports_the_rest_once(monkeypatch):
    monkeypatch.setattr(
        "etl.lib.discover.discovery.MAX_SITEMAPS_PER_SITE", 3
    )  # the index and its two newest children
    children = "".join(
        f"<sitemap><loc>/s/{day}.xml</loc><lastmod>2025-01-0{day}</lastmod></sitemap>" for day in range(1, 6)
    )
    child = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a</loc></url></urlset>'
    routes = {
        "/index.xml": page(f"<sitemapindex>{children}</sitemapindex>", content_type="application/xml"),
        **{f"/s/{day}.xml": page(child, content_type="application/xml") for day in range(1, 6)},
    }
    with LoopbackServer(routes) as server:
        sites = SitesFile(allow_private_networks=True, sites=[{
            "name": "capped", "sitemaps": [server.url("/index.xml")], "delay_seconds": 0}])  # fmt: skip
        found, errors = discover(sites)
        assert sorted(path for path in server.counter.calls if path.startswith("/s/")) == [
            "/s/4.xml",
            "/s/5.xml",
        ]
        assert len(found) == 2
        [error] = errors
        assert error.message.startswith("3 older child sitemaps skipped")


_XMLISH = st.lists(
    st.sampled_from(
        [
            "<rss>",
            "<channel>",
            "<item>",
            "<link>",
            "</link>",
            "http://x.org/a",
            "<urlset>",
            "<url>",
            "<loc>",
            "</loc>",
            "<sitemapindex>",
            "<sitemap>",
            "<!DOCTYPE x>",
            "&amp;",
            "&",
            "<![CDATA[",
            "]]>",
            "{",
            '"items"',
            ":",
            "[",
            "]",
            "}",
            "\x00",
            "\ufeff",
            "<?xml version='1.0'?>",
            "é",
            "<",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_XMLISH, raw=st.binary(max_size=200))
def test_parsers_fail_only_with_their_own_errors(text, raw):
    for body in (text.encode("utf-8"), raw):
        for parse, errors in (
            (parse_feed, (FeedError, UnsafeXmlError)),
            (parse_sitemap, (SitemapError, UnsafeXmlError)),
        ):
            with contextlib.suppress(errors):
                parse(body, "https://x.org/source")


def _unreachable_url(path: str) -> str:
    """A loopback URL on a port that was just free: nothing listens there, so connecting is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def test_an_unreachable_feed_is_reported_as_unreachable_not_as_robots_txt():
    sites = SitesFile(allow_private_networks=True, sites=[{
        "name": "down", "feeds": [_unreachable_url("/feed")], "delay_seconds": 0}])  # fmt: skip
    settings = FetchSettings(allow_private_networks=True, max_attempts=1)
    found, [error] = discover(sites, settings=settings)
    assert found == []
    assert error.message.startswith("connection_error: host unreachable")
    assert "robots" not in error.message


def test_discovery_failed_everywhere_only_when_no_site_read_anything():
    with LoopbackServer(_site_routes()) as server:
        up = {"name": "up", "feeds": [server.url("/feed")], "delay_seconds": 0}
        down = {"name": "down", "feeds": [_unreachable_url("/feed")], "delay_seconds": 0}
        settings = FetchSettings(allow_private_networks=True, max_attempts=1)
        for configured, expected in (([up, down], False), ([down], True)):
            sites = SitesFile(allow_private_networks=True, sites=configured)
            found, errors = discover(sites, settings=settings)
            assert discovery_failed_everywhere(sites, found, errors) is expected
