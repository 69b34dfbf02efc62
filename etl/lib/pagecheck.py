"""Is a 200 response really an HTML page with an article's worth of text?

Servers answer 200 with images labelled text/html, with bot challenges ("Just a moment...") and with empty
JavaScript shells. None of those is an article, so each is flagged here instead of being passed on to
extraction as one.
"""

from __future__ import annotations

import lxml.etree
import lxml.html

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x00", "binary data"),
)
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))
# Markers of the challenge pages of Cloudflare, Imperva, DataDome, PerimeterX, DDoS-Guard, AWS WAF, SiteGround.
_CHALLENGE_MARKERS = (
    "/cdn-cgi/challenge-platform/",
    "cf-browser-verification",
    "cf_chl_opt",
    "attention required! | cloudflare",
    "<title>just a moment...</title>",
    "_incapsula_resource",
    "captcha-delivery.com",
    "px-captcha",
    "checking your browser before accessing",
    "ddos-guard",
    "aws-waf-token",
    "sgcaptcha",
)
# A challenge page is short; a long article that merely mentions Cloudflare is not one.
_CHALLENGE_MAX_TEXT = 1500


def media_type(content_type: str | None) -> str | None:
    """`text/html; charset=utf-8` -> `text/html`."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def binary_kind(body: bytes) -> str | None:
    """What binary format `body` is, or None when it looks like text."""
    head = body[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text has NUL bytes but a byte order mark first
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.count(b"\x00") > 0:
        return "binary data"
    # Text has few control bytes other than tab, newline, carriage return and form feed.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return "binary data" if head and controls / len(head) > 0.1 else None


def visible_text(html: str) -> str:
    """The text a reader would see: scripts, styles and templates removed, whitespace collapsed."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in list(root.iter("script", "style", "noscript", "template")):
        if element.getparent() is not None:
            element.drop_tree()  # keeps the element's tail text, which is visible
    return " ".join(root.text_content().split())


def classify_html(html: str, *, min_text_chars: int) -> tuple[str, str | None]:
    """`("ok", None)`, or `("bot_challenge" | "empty_page", why)` for a decoded HTML page."""
    text = visible_text(html)
    if len(text) <= _CHALLENGE_MAX_TEXT:
        lowered = html[:200_000].lower()
        for marker in _CHALLENGE_MARKERS:
            if marker in lowered:
                return "bot_challenge", f"bot challenge page (marker {marker!r})"
    if len(text) < min_text_chars:
        return "empty_page", f"only {len(text)} characters of visible text"
    return "ok", None
