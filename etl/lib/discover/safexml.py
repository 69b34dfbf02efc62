"""XML parsing that hostile documents cannot abuse.

Feeds and sitemaps come from servers we do not control. A document that declares entities can expand a few
hundred bytes into gigabytes (billion laughs) or pull in local files and URLs (external entities), so any
entity declaration or external reference is refused before a parser that would honour it ever sees the bytes.
A plain DOCTYPE stays allowed: RSS 0.91 feeds still carry Netscape's.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime

import defusedxml
import defusedxml.ElementTree

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


class UnsafeXmlError(ValueError):
    """The document declares entities or references external resources."""


class XmlSyntaxError(ValueError):
    """The document is not well-formed XML."""


def parse_xml(body: bytes) -> ElementTree.Element:
    """The root element of `body`; raises `UnsafeXmlError` or `XmlSyntaxError` with a one-line reason."""
    try:
        return defusedxml.ElementTree.fromstring(
            body, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as error:
        raise UnsafeXmlError(f"refused unsafe XML: {type(error).__name__}") from None
    except ElementTree.ParseError as error:
        if _ENTITY_DECLARATION.search(body):
            raise UnsafeXmlError("refused unsafe XML: malformed document declaring entities") from None
        raise XmlSyntaxError(f"not well-formed XML: {error}") from None


def check_safe(body: bytes) -> None:
    """Raise `UnsafeXmlError` if `body` declares entities or external references; malformed XML is let through.

    For parsers (feedparser) that recover from malformed feeds but would expand entities if asked to.
    """
    # parse_xml already refuses a malformed document that declares entities
    with contextlib.suppress(XmlSyntaxError):
        parse_xml(body)


def local_name(tag: object) -> str:
    """`{http://www.sitemaps.org/schemas/sitemap/0.9}loc` -> `loc`."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """A sitemap or feed date (`2024-01-02`, `2024-01-02T10:00:00+03:00`, `...Z`) in UTC, or None."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
