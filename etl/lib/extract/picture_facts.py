"""What a page says about its pictures besides the figure: captions and credits from structured data and
attributes, each with where it was read.

Pages that print a picture in a gallery or carousel component, or render its caption with JavaScript, often
state the caption and credit only here: in a JSON-LD `ImageObject` (read by `metadata`), in schema.org
microdata (`itemtype=".../ImageObject"` with `itemprop="caption"`, `creditText`, `copyrightHolder`, `author`),
in `data-caption` / `data-credit` attributes of the picture or its slide, and, for the page's main picture,
in `og:image:alt`. The images module reconciles them with the printed figure by image URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.html import HtmlElement

from etl.lib.extract.dom import is_element, visible_text

# Attribute names that hold a picture's caption or credit: data-caption, data-image-caption, data-legend,
# data-copyright, data-photo-credit, data-photographer, data-attribution ...
_CAPTION_ATTRIBUTE = re.compile(r"^data-(?:[\w-]*-)?(?:caption|legend|bildunterschrift)$")
_CREDIT_ATTRIBUTE = re.compile(r"^data-(?:[\w-]*-)?(?:credit|copyright|photographer|attribution|byline)$")
_MICRODATA_CAPTION = ("caption", "description")
_MICRODATA_CREDIT = ("creditText", "copyrightHolder", "author", "creator")
_MICRODATA_URL = ("contentUrl", "url", "image", "thumbnailUrl")
# How far up from the <img> a slide or figure wrapper may carry the picture's attributes.
_ATTRIBUTE_LEVELS = 3
_PAGE_PARTS = {"article", "main", "body", "html"}


@dataclass(slots=True)
class PictureFacts:
    """A caption and credit stated for one picture, and where (schema.IMAGE_TEXT_SOURCES)."""

    caption: str | None
    credit: str | None
    source: str


def microdata_pictures(page: HtmlElement, base_url: str) -> list[tuple[str, PictureFacts]]:
    """(URL, facts) for every schema.org ImageObject item of the page's microdata that names a URL."""
    found: list[tuple[str, PictureFacts]] = []
    for item in page.xpath("//*[@itemtype]"):
        if "imageobject" not in (item.get("itemtype") or "").lower():
            continue
        properties = _item_properties(item)
        url = next((properties[name] for name in _MICRODATA_URL if properties.get(name)), None)
        if url is None:
            img = next(item.iter("img"), None)
            url = (img.get("src") or "").strip() if img is not None else None
        if not url:
            continue
        caption = next((properties[name] for name in _MICRODATA_CAPTION if properties.get(name)), None)
        credit = next((properties[name] for name in _MICRODATA_CREDIT if properties.get(name)), None)
        if caption or credit:
            found.append((urljoin(base_url, url), PictureFacts(caption, credit, "microdata")))
    return found


def _item_properties(item: HtmlElement) -> dict[str, str]:
    """The item's own properties (not those of items nested in it), first value of each: a <meta>'s content,
    a link's href, an image's src, else the element's text; a nested item (an author Person) gives its name."""
    properties: dict[str, str] = {}
    stack = [child for child in item if is_element(child)]
    while stack:
        element = stack.pop(0)
        name = (element.get("itemprop") or "").strip()
        nested = element.get("itemscope") is not None
        if name and name not in properties:
            value = _property_value(element, nested)
            if value:
                properties[name] = value
        if not nested:
            stack[:0] = [child for child in element if is_element(child)]
    return properties


def _property_value(element: HtmlElement, nested: bool) -> str | None:
    if nested:
        named = next((e for e in element.iter() if is_element(e) and e.get("itemprop") == "name"), None)
        return _property_value(named, False) if named is not None else None
    for attribute in ("content", "href", "src"):
        value = element.get(attribute)
        if value and value.strip():
            return " ".join(value.split())
    return visible_text(element) or None


def og_image_alt(page: HtmlElement, base_url: str) -> list[tuple[str, PictureFacts]]:
    """The page's main picture (og:image) with its `og:image:alt`: the description the page gives it."""
    image = alt = None
    for meta in page.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        value = " ".join((meta.get("content") or "").split())
        if key in ("og:image", "og:image:url", "og:image:secure_url") and value and image is None:
            image = value
        elif key == "og:image:alt" and value and alt is None:
            alt = value
    if image is None or alt is None:
        return []
    return [(urljoin(base_url, image), PictureFacts(alt, None, "og:image:alt"))]


def attribute_facts(img: HtmlElement) -> PictureFacts | None:
    """A caption and credit the picture or its near wrappers (a slide, a lightbox link) carry as data-*
    attributes; not from a wrapper that holds other pictures, whose attributes are the gallery's."""
    caption = credit = None
    element: HtmlElement | None = img
    for _ in range(_ATTRIBUTE_LEVELS + 1):
        if (
            element is None
            or element.tag in _PAGE_PARTS
            or (element is not img and _holds_pictures(element, 2))
        ):
            break
        for name, value in element.attrib.items():
            text = " ".join(value.split())
            if not text or text.startswith(("{", "[")):
                continue
            lowered = name.lower()
            if caption is None and _CAPTION_ATTRIBUTE.match(lowered):
                caption = text
            elif credit is None and _CREDIT_ATTRIBUTE.match(lowered):
                credit = text
        element = element.getparent()
    if caption is None and credit is None:
        return None
    return PictureFacts(caption, credit, "data-attribute")


def _holds_pictures(element: HtmlElement, count: int) -> bool:
    """At least `count` pictures in the element, a lazy picture's <noscript> twin not counted; stops counting
    there, so a gallery of thousands costs what two pictures do."""
    found = 0
    for img in element.iter("img", "amp-img"):
        if not any(parent.tag == "noscript" for parent in img.iterancestors()):
            found += 1
            if found >= count:
                return True
    return False
