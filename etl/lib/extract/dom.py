"""Small DOM helpers shared by the extraction rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.etree import XPathError
from lxml.html import HtmlElement

from etl.lib.selectors import selector_to_xpath

_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})

_SPACES = re.compile(r"[\s\u00a0]+")
_LABEL_EDGES = " :：.,،|»«>›→-–—_*#•\"'"

HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def is_element(node: object) -> bool:
    """lxml yields comments and processing instructions too; they have a non-str tag."""
    return isinstance(node, HtmlElement) and isinstance(node.tag, str)


def attributes_text(element: HtmlElement) -> str:
    """Class and id, lowercased: what a site's markup says an element is."""
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def visible_text(element: HtmlElement) -> str:
    """The element's text, whitespace collapsed. Scripts and styles are dropped from the tree right after
    structured metadata is read (see `drop_invisible`), so lxml's C text walk is enough; an element without
    children holds its text in `.text`, read with no XPath call."""
    if len(element) == 0:
        return " ".join((element.text or "").split())
    return " ".join(element.text_content().split())


def drop_invisible(tree: HtmlElement) -> None:
    """Remove scripts, styles and templates: their text is not page text (trafilatura drops them too), and
    without them lxml's C text walk gives the visible text. JSON-LD moves to <head> instead, where
    trafilatura's metadata fallback still reads it and no body text block can mistake it for prose."""
    head = tree.find("head")
    for element in list(tree.iter("script", "style", "template")):
        parent = element.getparent()
        if parent is None:
            continue
        if (element.get("type") or "").strip().lower() == "application/ld+json" and head is not None:
            if parent is not head:
                tail, element.tail = element.tail, None
                _keep_tail(element, tail)
                head.append(element)
        else:
            element.drop_tree()


def _keep_tail(element: HtmlElement, tail: str | None) -> None:
    """Give an element's tail text to its previous sibling or parent before the element moves away."""
    if not tail:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + tail


def normalized_label(text: str) -> str:
    """Casefolded text without Arabic diacritics, tatweel, hamza variants or edge punctuation, to match labels."""
    if text.isascii():
        # No Arabic marks or letters, casefold is lower, and split() collapses what the space pattern does.
        return " ".join(text.lower().split()).strip(_LABEL_EDGES)
    text = _ARABIC_MARKS.sub("", text).translate(_ALEF).casefold()
    text = _SPACES.sub(" ", text)
    return text.strip(_LABEL_EDGES)


def ancestors(element: HtmlElement) -> Iterator[HtmlElement]:
    """Parents from the nearest outward (lxml's C iterator: the rules walk up ~2,500 times a page)."""
    return element.iterancestors()


def is_inside(element: HtmlElement, containers: set[HtmlElement]) -> bool:
    """True when the element is one of `containers` or lies inside one."""
    if element in containers:
        return True
    return any(parent in containers for parent in ancestors(element))


def select(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    """Elements matching an XPath (starting with / or ./) or a CSS selector; [] when invalid."""
    if not selector:
        return []
    try:
        found = tree.xpath(selector_to_xpath(selector))
    except (XPathError, ValueError, TypeError):
        return []
    return [element for element in found if is_element(element)] if isinstance(found, list) else []
