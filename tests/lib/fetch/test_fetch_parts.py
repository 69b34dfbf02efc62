"""The pure parts of fetching: charset detection, bounded content decoding, page checks, the address guard."""

from __future__ import annotations

import gzip
import ipaddress
import zlib

import brotli
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.lib.extract.document import parse_document
from etl.lib.extract.dom import drop_invisible
from etl.lib.fetch.charset import detect_charset
from etl.lib.fetch.content_decoding import BodyTooLargeError, BoundedDecoder, ContentDecodingError
from etl.lib.fetch.netguard import is_public_address
from etl.lib.fetch.pagecheck import binary_kind, classify_html
from etl.lib.fetch.robots import RobotsRules, robots_user_agent

ARABIC = (
    "<p>قالت مصادر دبلوماسية إن المحادثات بين الطرفين ستستأنف الأسبوع المقبل في العاصمة السعودية الرياض</p>"
    * 5
)


def _html(body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (_html(ARABIC).encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
        (_html(ARABIC, '<meta charset="windows-1256">').encode("cp1256"), "text/html", "windows-1256"),
        (
            _html(
                ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            ).encode("cp1256"),
            None,
            "windows-1256",
        ),
        # the header lies (utf-8), the meta tag tells the truth
        (
            _html(ARABIC, "<meta charset='windows-1256'>").encode("cp1256"),
            "text/html; charset=UTF-8",
            "windows-1256",
        ),
        (_html(ARABIC).encode("cp1256"), "text/html", "windows-1256"),  # declared nowhere: detected
        (
            "\ufeff".encode() + _html(ARABIC).encode("utf-8"),
            "text/html; charset=windows-1256",
            "utf-8",
        ),  # BOM wins
        (_html("Zürich café").encode("cp1252"), "text/html; charset=ISO-8859-1", "windows-1252"),
        (_html("plain ascii").encode(), "text/html", "utf-8"),
        # a stale legacy label on a page that is really UTF-8
        (
            _html(ARABIC, '<meta charset="windows-1256">').encode("utf-8"),
            "text/html; charset=windows-1256",
            "utf-8",
        ),
        # ISO-8859-6 is not windows-1256: its Arabic letters sit elsewhere, so the label must be kept
        (_html(ARABIC, '<meta charset="ISO-8859-6">').encode("iso-8859-6"), None, "iso-8859-6"),
    ],
    ids=[
        "header",
        "meta-only",
        "http-equiv",
        "lying-header",
        "detected",
        "bom",
        "latin1-label",
        "ascii",
        "stale-label",
        "iso-8859-6",
    ],
)
def test_detect_charset(body, content_type, expected):
    charset = detect_charset(body, content_type)
    assert charset == expected
    body.decode(charset)


def test_detected_arabic_decodes_to_the_original_text():
    body = _html(ARABIC).encode("cp1256")
    assert ARABIC in body.decode(detect_charset(body, None))


def _feed_all(decoder: BoundedDecoder, data: bytes, chunk: int = 4096) -> bytes:
    return b"".join(decoder.feed(data[i : i + chunk]) for i in range(0, len(data), chunk))


PAYLOAD = ("<p>" + "خبر " * 5000 + "</p>").encode()
_raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)


@pytest.mark.parametrize(
    ("encoding", "compressed"),
    [
        ("gzip", gzip.compress(PAYLOAD)),
        ("x-gzip", gzip.compress(PAYLOAD)),
        ("deflate", zlib.compress(PAYLOAD)),
        ("deflate", _raw.compress(PAYLOAD) + _raw.flush()),
        ("br", brotli.compress(PAYLOAD)),
        ("identity", PAYLOAD),
        (None, PAYLOAD),
        ("gzip, br", brotli.compress(gzip.compress(PAYLOAD))),
        ("gzip", gzip.compress(PAYLOAD[:1000]) + gzip.compress(PAYLOAD[1000:])),  # two gzip members
    ],
    ids=[
        "gzip",
        "x-gzip",
        "zlib-deflate",
        "raw-deflate",
        "br",
        "identity",
        "none",
        "stacked",
        "multi-member",
    ],
)
def test_bounded_decoder_decodes(encoding, compressed):
    decoder = BoundedDecoder(encoding, 10 * len(PAYLOAD))
    assert _feed_all(decoder, compressed) == PAYLOAD
    decoder.finish()


@pytest.mark.parametrize(
    "encoding, compress",
    [("gzip", gzip.compress), ("br", brotli.compress), ("deflate", zlib.compress)],
)
def test_bomb_is_stopped_just_past_the_cap(encoding, compress):
    bomb = compress(bytes(64 * 1024 * 1024))  # 64 MiB of zeros in well under 1 MiB
    decoder = BoundedDecoder(encoding, 1024 * 1024)
    with pytest.raises(BodyTooLargeError):
        _feed_all(decoder, bomb, chunk=len(bomb))  # one chunk: the cap must hold inside a single feed
    assert decoder.produced <= 1024 * 1024


@pytest.mark.parametrize(
    "encoding, data", [("gzip", b"\x1f\x8b\x08\x00garbage"), ("br", b"\xff\xff\xff"), ("zstd", b"x")]
)
def test_corrupt_or_unsupported_encoding(encoding, data):
    with pytest.raises(ContentDecodingError):
        decoder = BoundedDecoder(encoding, 1000)
        _feed_all(decoder, data)
        decoder.finish()


def test_truncated_gzip_is_detected_at_the_end():
    decoder = BoundedDecoder("gzip", 10 * len(PAYLOAD))
    decoder.feed(gzip.compress(PAYLOAD)[:-100])
    with pytest.raises(ContentDecodingError, match="truncated"):
        decoder.finish()


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        (b"%PDF-1.4", "PDF document"),
        (bytes(range(256)), "binary data"),
        ("<html>خبر</html>".encode("utf-16"), None),
        (b"<!doctype html><html></html>", None),
    ],
)
def test_binary_kind(body, kind):
    assert binary_kind(body) == kind


@pytest.mark.parametrize(
    ("html", "outcome"),
    [
        (_html(ARABIC), "ok"),
        (_html('<div id="root"></div><script>' + "var x=1;" * 500 + "</script>"), "empty_page"),
        (_html("<noscript>Please enable JavaScript to view this site.</noscript>"), "empty_page"),
        ("<html><head><title>Just a moment...</title></head><body>Checking</body></html>", "bot_challenge"),
        (
            _html(
                "<div>Request unsuccessful. Incapsula incident ID</div><iframe src='/_Incapsula_Resource?x'>"
            ),
            "bot_challenge",
        ),
        (_html('<script src="https://ct.captcha-delivery.com/c.js"></script>'), "bot_challenge"),
        # an article that mentions a challenge marker is still an article
        (
            _html(ARABIC * 5 + "<p>Just a moment... /cdn-cgi/challenge-platform/ is Cloudflare's path</p>"),
            "ok",
        ),
        ("", "empty_page"),
        # XHTML with an XML declaration naming its encoding: lxml refuses such a str
        ('<?xml version="1.0" encoding="iso-8859-1"?>\n' + _html(ARABIC), "ok"),
    ],
)
def test_classify_html(html, outcome):
    assert classify_html(html, min_text_chars=64)[0] == outcome
    if html:
        # extraction judges the page on its own parse, its scripts and styles already dropped: the same verdict
        document = parse_document(html)
        drop_invisible(document.tree)
        assert classify_html(html, min_text_chars=64, tree=document.tree)[0] == outcome


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_is_public_address(address, public):
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_robots_rules_and_agent_token():
    assert robots_user_agent("Akhbar/0.1 (+https://example.org)") == "Akhbar"
    rules = RobotsRules.parse(
        "https://x.org", "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\nSitemap: /s.xml\n"
    )
    assert rules.allows("https://x.org/news/1", "Akhbar")
    assert not rules.allows("https://x.org/private/1", "Akhbar")
    assert rules.crawl_delay("Akhbar") == 2.0
    assert rules.sitemaps == ["/s.xml"]
    assert not RobotsRules.deny_everything("https://x.org", "down").allows("https://x.org/", "Akhbar")
    assert (
        RobotsRules.parse("https://x.org", "User-agent: *\nRequest-rate: 1/5s\n").crawl_delay("Akhbar") == 5.0
    )
    assert RobotsRules.parse("https://x.org", "User-agent: *\nAllow: /\n").crawl_delay("Akhbar") is None


@settings(max_examples=60, deadline=None)
@given(
    payload=st.binary(max_size=20_000),
    encoding=st.sampled_from(["gzip", "deflate", "br"]),
    chunk=st.integers(1, 5000),
)
def test_bounded_decoder_is_independent_of_chunking(payload, encoding, chunk):
    compress = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding]
    decoder = BoundedDecoder(encoding, len(payload))
    assert _feed_all(decoder, compress(payload), chunk=chunk) == payload
    decoder.finish()
