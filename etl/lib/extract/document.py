"""Turn a fetched body into one parsed lxml tree, or a one-line reason why it cannot be.

The tree is built exactly as trafilatura builds its own (`trafilatura.utils.load_html` on the decoded text),
so handing it to `bare_extraction` later gives the same body text as bare trafilatura, from a single parse.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import trafilatura.utils
from charset_normalizer import from_bytes
from lxml.etree import ElementDefaultClassLookup
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.utils import load_html

# trafilatura refuses files above 20 MB (settings.cfg MAX_FILE_SIZE); news pages are well under 5 MB.
MAX_DOCUMENT_BYTES = 20_000_000
# Above this many elements the DOM rules would cost more than the page is worth (real pages: < 30k).
MAX_ELEMENTS = 300_000

# lxml.html picks each element's Python class with a Python callback (form-field mixins for <input>, <select>,
# ...), called millions of times per page by the DOM rules and trafilatura; neither uses those mixins, so the
# parser trafilatura parses with gets lxml's C-level lookup: same classes otherwise, same trees, ~5% less time.
trafilatura.utils.HTML_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


@dataclass(slots=True)
class ParsedDocument:
    """A parsed page: the root element and the text it was parsed from."""

    tree: HtmlElement
    text: str


class DocumentError(ValueError):
    """The body is not a usable HTML document; the message is one line."""


def decode_body(body: bytes | str, encoding: str | None = None) -> str:
    """Decode bytes with the fetcher's charset, else UTF-8, else the page's meta charset, else detection."""
    if isinstance(body, str):
        return body
    if encoding and _known_codec(encoding):
        # The fetcher's charset is authoritative; a stray bad byte should not discard the page.
        return body.decode(encoding, errors="replace")
    # Valid UTF-8 first, as trafilatura does: pages declaring latin-1 while serving UTF-8 are common.
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(body)
    if declared and _known_codec(declared):
        return body.decode(declared, errors="replace")
    best = from_bytes(body[:200_000]).best()
    if best is not None and _known_codec(best.encoding):
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def parse_document(body: bytes | str, encoding: str | None = None) -> ParsedDocument:
    """Decode and parse; raise `DocumentError` with a one-line reason for empty, binary or huge input."""
    if body is None or not isinstance(body, (bytes, str)):
        raise DocumentError(f"not a document: {type(body).__name__}")
    size = len(body)
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"document too large: {size} bytes (limit {MAX_DOCUMENT_BYTES})")
    if isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
        raise DocumentError("document is gzip-compressed bytes, not HTML")
    text = decode_body(body, encoding)
    if not text.strip():
        raise DocumentError("empty document")
    sample = text[:4096]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 20):
        raise DocumentError("binary content, not HTML")
    if "<" not in text:
        raise DocumentError("no HTML markup in document")
    try:
        tree = load_html(text)
    except Exception as error:  # lxml raises a zoo of types on hostile input
        raise DocumentError(f"HTML parsing failed: {type(error).__name__}") from None
    if tree is None or not isinstance(tree, HtmlElement):
        raise DocumentError("HTML parsing gave no document tree")
    # Every element costs at least two characters of markup ("<p"), bar the few the parser implies (html,
    # body, a <p> around loose text), so a text this short cannot hold too many: the count (an XPath scan of
    # the whole tree, 0.35 ms a page; counted in C, as iterating would make a Python object per element) is
    # only needed for long ones.
    if len(text) > MAX_ELEMENTS:
        count = int(tree.xpath("count(//*)"))
        if count > MAX_ELEMENTS:
            raise DocumentError(f"document too large: {count} elements (limit {MAX_ELEMENTS})")
    return ParsedDocument(tree=tree, text=text)


def _declared_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
