"""Which charset a fetched page decodes with: the HTTP header, then a BOM or meta tag, then detection.

Arabic sites still serve windows-1256 pages, often declared only in a `<meta>` tag, so a page is never decoded
as UTF-8 by default. A declared charset is trusted only if the bytes actually decode with it.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# WHATWG: browsers read these labels as windows-1252, and so do the pages that declare them.
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
                   "us-ascii": "cp1252", "iso-8859-9": "cp1254", "tis-620": "cp874", "gb2312": "gb18030",
                   "gbk": "gb18030", "x-sjis": "shift_jis"}  # fmt: skip
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_SCAN_BYTES = 4096  # HTML requires the meta charset within the first 1024 bytes; be lenient


def normalize_charset(label: str | None) -> str | None:
    """The Python codec name for a charset label, or None if Python has no such codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}.get(name, name)


def charset_label(codec: str) -> str:
    """The standard label of a Python codec name (`cp1256` -> `windows-1256`), which Python also accepts."""
    name = codecs.lookup(codec).name
    if name.startswith("cp125") or name == "cp874":
        return "windows-" + name[2:]
    if name.startswith("iso8859-"):
        return "iso-8859-" + name.split("-", 1)[1]
    return name.replace("_", "-")


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return normalize_charset(match.group(1)) if match else None


def charset_from_meta(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_META_SCAN_BYTES])
    return normalize_charset(match.group(1).decode("ascii", "replace")) if match else None


def _decodes(body: bytes, charset: str) -> bool:
    try:
        body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset `body` decodes with, or None when no charset decodes it cleanly."""
    charset = _detect_codec(body, content_type)
    return charset_label(charset) if charset else None


def _detect_codec(body: bytes, content_type: str | None) -> str | None:
    for bom, charset in _BOMS:
        if body.startswith(bom):
            return charset
    # Sites that moved to UTF-8 often kept their old `windows-1256` meta tag. Legacy text almost never forms
    # valid multi-byte UTF-8 sequences, so non-ASCII bytes that decode as UTF-8 are UTF-8 whatever is declared.
    if not body.isascii() and _decodes(body, "utf-8"):
        return "utf-8"
    for declared in (charset_from_content_type(content_type), charset_from_meta(body)):
        # A utf-16 meta tag is always a lie: the meta tag itself was readable as ASCII.
        if declared and not declared.startswith("utf-16") and _decodes(body, declared):
            return declared
    if _decodes(body, "utf-8"):
        return "utf-8"
    best = from_bytes(body[:200_000]).best()
    if best is not None and _decodes(body, best.encoding):
        return normalize_charset(best.encoding)
    return None
