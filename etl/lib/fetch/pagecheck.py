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


_INVISIBLE_TAGS = ("script", "style", "noscript", "template")
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def _collapsed_length(element: lxml.html.HtmlElement) -> int:
    return len(" ".join(element.text_content().split()))


def visible_length(root: lxml.html.HtmlElement) -> int:
    """Characters of the text a reader would see, whitespace collapsed: all the text less that of scripts,
    styles, noscript fallbacks and templates.

    Subtracting their text from lxml's C text walk reads any tree of the page, whatever is left of those
    elements (the fetcher's parse drops scripts, styles and templates; extraction's moves JSON-LD to the head
    and keeps noscript images): the pipeline judges a page the same way wherever it does so. At the edges of
    subtracted text a collapsed space may be counted twice, which a threshold of tens of characters does not
    notice.
    """
    length = _collapsed_length(root)
    for element in root.iter(*_INVISIBLE_TAGS):
        if next(element.iterancestors(*_INVISIBLE_TAGS), None) is None:  # nested ones are in their parent's
            length -= _collapsed_length(element)
    return max(length, 0)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """The page's tree without its scripts, styles and templates (their text would only be subtracted)."""
    try:
        # bytes with the encoding named: lxml refuses a str that starts with an XML declaration
        tree = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_UTF8_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    for element in list(tree.iter("script", "style", "template")):
        if element.getparent() is not None:
            element.drop_tree()  # keeps the element's tail text, which is visible
    return tree


def classify_html(
    html: str, *, min_text_chars: int, tree: lxml.html.HtmlElement | None = None
) -> tuple[str, str | None]:
    """`("ok", None)`, or `("bot_challenge" | "empty_page", why)` for a decoded HTML page.

    Pass the page's parsed `tree` when there is one (extraction has it): the check then costs no parse.
    """
    if tree is None:
        tree = _parse(html)
    length = visible_length(tree) if tree is not None else 0
    if length <= _CHALLENGE_MAX_TEXT:
        lowered = html[:200_000].lower()
        for marker in _CHALLENGE_MARKERS:
            if marker in lowered:
                return "bot_challenge", f"bot challenge page (marker {marker!r})"
    if length < min_text_chars:
        return "empty_page", f"only {length} characters of visible text"
    return "ok", None
