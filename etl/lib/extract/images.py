"""The article's own images: URL (lazy attributes, srcset, picture, noscript), size, alt, caption, credit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from etl.lib.extract.captions import is_timestamp, is_ui_label, split_credit, without_printed_chrome
from etl.lib.extract.dom import (
    HEADING_TAGS,
    ancestors,
    attributes_text,
    is_element,
    is_inside,
    select,
    visible_text,
)
from etl.lib.extract.metadata import JsonLdImage
from etl.lib.extract.picture_facts import PictureFacts, attribute_facts, microdata_pictures, og_image_alt
from etl.lib.records import ExtractedImage
from etl.lib.schema import IMAGE_TEXT_SOURCES

_LAZY_URL_ATTRIBUTES = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-full-src",
    "data-hi-res-src",
    "data-src-large",
    "data-image",
    "data-img-src",
    "data-echo",
    "data-orig-file",
)
_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "srcset", "data-src-set")
_PLACEHOLDER = re.compile(
    r"^data:|blank\.(?:gif|png)|spacer|placeholder|transparent|lazy[-_]?load|loading\.gif|1x1|pixel\.", re.I
)
_NOT_CONTENT_URL = re.compile(
    r"(?:^|[/_.-])(?:logo|icon|favicon|sprite|avatar|badge|emoji|pixel|tracking|tracker|beacon|spinner|"
    r"ads?|banner|button|arrow|author|gravatar)(?:[/_.@-]|s?\.|$)|\.svg(?:$|\?)|/(?:b|t|p)\.gif|doubleclick|"
    r"facebook\.com/tr|google-analytics|scorecardresearch|chartbeat|gravatar\.com",
    re.I,
)
_NOT_CONTENT_CLASS = re.compile(
    r"logo|icon|avatar|emoji|sprite|author|profile|badge|(?:^|[\s_-])ads?(?:$|[\s_-])|advert|sponsor|pixel|gravatar"
)
_CAPTION_CLASS = re.compile(
    r"caption|legend|figcaption|bildunterschrift|unterschrift|bildtext|bu-text|image-?text|img-?text|"
    r"photo-?text|media-?text|infotext|media-?info|image-?info|img-?info|image-?desc|img-?desc|photo-?desc|"
    r"wp-caption-text"
)
_CREDIT_CLASS = re.compile(
    r"credit|copyright|source|photographer|byline|author|autor|quelle|fotograf|attribution|rights"
)
# "View 3 images", a gallery counter or button beside a picture, is not its caption.
_GALLERY_BUTTON = re.compile(
    r"^(?:view|see|show|open|zoom|play|watch)\b|\b\d+\s+(?:images|photos|pictures|bilder|fotos)\b|gallery|counter|button|"
    r"(?:^|[\s_-])btn(?:$|[\s_-])|load-?more",
    re.IGNORECASE,
)
_LABEL_ONLY = re.compile(
    r"^(?:©|copyright|credits?|photo|foto|bild|source|quelle|image)\s*[:：]?$", re.IGNORECASE
)
_TRAILING_LABEL = re.compile(
    r"(?:\s*[|/–—-]\s*(?:©|copyright|credits?|photo|foto|bild|source|quelle|image)|\s+(?:©|copyright))\s*[:：]?\s*$",
    re.IGNORECASE,
)
_SCREEN_READER_CLASS = re.compile(
    r"sr-only|visually-?hidden|hidden-?visually|hiddenvisually|screen-?reader|a11y-hidden|offscreen"
)
_FIGURE_CLASS = re.compile(r"figure|image|photo|picture|media|img|foto|bild|gallery|visual")
_IMAGE_TAGS = ("img", "amp-img")
_TINY = 64  # declared width or height at or below this is an icon, a pixel or a thumbnail


@dataclass(slots=True)
class ImageSource:
    """Where an <img> points and how large it says it is."""

    url: str
    width: int | None
    height: int | None


def image_source(img: HtmlElement, base_url: str) -> ImageSource | None:
    """The image's absolute URL and declared size.

    The URL is the largest candidate of the image's own `srcset` (or lazy `data-srcset`), else its real `src`,
    else a lazy-loading attribute, else the largest candidate of its <picture> sources (often other formats). Width and height are the declared attributes only: a srcset descriptor says which
    file fits a screen, not how large the printed picture is.
    """
    width, height = _int(img.get("width")), _int(img.get("height"))
    chosen = _largest(img)
    if chosen is None:
        for attribute in ("src", *_LAZY_URL_ATTRIBUTES, *_other_lazy_attributes(img)):
            value = (img.get(attribute) or "").strip()
            if value and not _PLACEHOLDER.search(value):
                chosen = value
                break
    if chosen is None:
        picture = next((p for p in _up_to(img, 3) if p.tag == "picture"), None)
        if picture is not None:
            chosen = next(
                (c for s in picture.iter("source") if not _non_default_media(s) and (c := _largest(s))), None
            )
    if not chosen:
        return None
    absolute = _absolute_http_url(base_url, chosen.strip())
    if absolute is None:
        return None
    return ImageSource(url=absolute, width=width, height=height)


@lru_cache(maxsize=4096)
def _absolute_http_url(base_url: str, url: str) -> str | None:
    """`url` made absolute against the page, when it is http(s). Cached: each image is resolved once per rule
    that reads it."""
    try:
        absolute = urljoin(base_url, url)
    except ValueError:
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def _largest(holder: HtmlElement) -> str | None:
    candidates = [c for attribute in _SRCSET_ATTRIBUTES for c in _parse_srcset(holder.get(attribute))]
    return max(candidates, key=lambda c: c[1])[0] if candidates else None


def _other_lazy_attributes(img: HtmlElement) -> list[str]:
    """Site-specific lazy-loading attributes ("data-lazyimage-src", "data-zoom-src") holding a URL."""
    return [
        name
        for name, value in img.attrib.items()
        if name.startswith("data-")
        and name not in _LAZY_URL_ATTRIBUTES
        and ("src" in name or "original" in name or "lazy" in name)
        and "set" not in name
        and value.strip().startswith(("http://", "https://", "//", "/"))
    ]


@lru_cache(maxsize=4096)
def image_identity(url: str) -> str:
    """What makes two URLs the same picture: the file name, without size variants and query. Cached: a page's
    lead image is asked about once per image, and a site's logos repeat on every page."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1].lower()
    name = re.sub(
        r"(?:[-_@](?:\d{2,4}x\d{2,4}|\d{2,4}w|\d{3,4}|[2-4]x|scaled|thumb|large|medium|small))+(?=\.\w+$)",
        "",
        name,
    )
    name = re.sub(r"\.(?:jpe?g|png|webp|gif|avif)$", "", name)
    # Short generic names ("image.jpg", "1.jpg") say nothing: keep the whole path then.
    return name if len(name) >= 8 else path.lower()


def _same_upload(first: str, second: str) -> bool:
    """Two renditions of one upload whose names differ after a long shared stem: a CMS that names each crop
    ("…-versaeumnisse-ein_detail_1FngrG_4Iql23.jpg", "…-versaeumnisse-ein_metadaten_1FngrG_MKF8HP.jpg")."""
    a, b = urlsplit(first), urlsplit(second)
    folder_a, _, name_a = a.path.rpartition("/")
    folder_b, _, name_b = b.path.rpartition("/")
    if a.netloc != b.netloc or folder_a != folder_b or name_a == name_b:
        return False
    name_a, name_b = name_a.lower(), name_b.lower()
    shared = next(
        (index for index, (x, y) in enumerate(zip(name_a, name_b, strict=False)) if x != y),
        min(len(name_a), len(name_b)),
    )
    return shared >= max(24, int(0.6 * min(len(name_a), len(name_b))))


def extract_images(
    region: HtmlElement,
    page: HtmlElement,
    url: str,
    excluded: set[HtmlElement],
    jsonld_images: list[JsonLdImage],
    lead_urls: list[str],
    profile: object | None = None,
) -> tuple[list[ExtractedImage], list[HtmlElement]]:
    """The article's images in document order, deduplicated, with captions split from credits; and the
    captions printed as loose paragraphs, which are not body text."""
    loose_captions: list[HtmlElement] = []
    lead_identities = {image_identity(u) for u in lead_urls}
    profile_images = select(page, getattr(profile, "images", None))
    if profile_images:
        candidates = [
            img
            for element in profile_images
            for img in ([element] if element.tag == "img" else element.iter("img"))
        ]
    else:
        candidates = [img for img in region.iter(*_IMAGE_TAGS) if not is_inside(img, excluded)]
        # A lead image printed outside the article region (a hero above it) still belongs to the article.
        region_set = set(candidates)
        # A page-level <header> is chrome, but the hero picture the page names as og:image lives there.
        not_header = {element for element in excluded if element.tag != "header"}
        for img in page.iter(*_IMAGE_TAGS):
            if img in region_set or is_inside(img, not_header):
                continue
            source = image_source(img, url)
            if source and (
                image_identity(source.url) in lead_identities
                or any(_same_upload(source.url, lead) for lead in lead_urls)
            ):
                if _before(img, region):
                    candidates.insert(0, img)
                else:
                    candidates.append(img)

    facts = _page_facts(page, url, jsonld_images)
    titles = _page_titles(page)
    images: list[ExtractedImage] = []
    seen: dict[str, ExtractedImage] = {}
    first_paragraph = _first_paragraph(region, excluded)
    for img in candidates:
        if _inside_noscript(img) and _has_sibling_image(img):
            continue
        source = image_source(img, url)
        if source is None or _not_content(img, source):
            continue
        identity = image_identity(source.url)
        alt = " ".join((img.get("alt") or img.get("title") or "").split()) or None
        printed = _caption_and_credit(img, profile)
        if printed.loose is not None:
            loose_captions.append(printed.loose)
        stated = [
            fact
            for key in dict.fromkeys([identity, *(image_identity(u) for u in _offered_urls(img, url))])
            for fact in facts.get(key, ())
        ]
        attributes = attribute_facts(img)
        if attributes is not None:
            stated.append(attributes)
        text = _reconciled(printed, sorted(stated, key=lambda f: IMAGE_TEXT_SOURCES.index(f.source)), titles)
        if identity in seen:
            # The same picture twice (noscript fallback, a zoom link, og:image): keep what the first lacked.
            first = seen[identity]
            if first.caption is None and text.caption is not None:
                first.caption, first.caption_source = text.caption, text.caption_source
            if first.credit_raw is None and text.credit is not None:
                first.credit_raw, first.credit_source = text.credit, text.credit_source
            first.alt_text = first.alt_text or alt
            continue
        image = ExtractedImage(
            position=len(images),
            url=source.url,
            alt_text=alt,
            caption=text.caption,
            credit_raw=text.credit,
            width=source.width,
            height=source.height,
            caption_source=text.caption_source,
            credit_source=text.credit_source,
        )
        image.is_lead = identity in lead_identities or (
            not images and first_paragraph is not None and _before(img, first_paragraph)
        )
        seen[identity] = image
        images.append(image)
    leads = [image for image in images if image.is_lead]
    for image in leads[1:]:
        image.is_lead = False
    return images, loose_captions


# ---------------------------------------------------------------- sources reconciled


@dataclass(slots=True)
class _ImageText:
    """The caption and credit kept for an image, and where each was read."""

    caption: str | None = None
    credit: str | None = None
    caption_source: str | None = None
    credit_source: str | None = None


def _page_facts(
    page: HtmlElement, url: str, jsonld_images: list[JsonLdImage]
) -> dict[str, list[PictureFacts]]:
    """What the page states about its pictures outside their figures, by picture identity (each size of one
    picture shares it): JSON-LD ImageObjects, microdata ImageObjects, og:image:alt."""
    stated = [
        (image.url, PictureFacts(image.caption, image.credit, "jsonld"))
        for image in jsonld_images
        if image.caption or image.credit
    ]
    stated += microdata_pictures(page, url) + og_image_alt(page, url)
    facts: dict[str, list[PictureFacts]] = {}
    for image_url, fact in stated:
        facts.setdefault(image_identity(image_url), []).append(fact)
    return facts


def _offered_urls(img: HtmlElement, base_url: str) -> list[str]:
    """Every address the page offers for the picture (src, lazy attributes, srcset and <picture> candidates):
    structured data often names another size than the one printed."""
    holders = [img, *(p for p in _up_to(img, 3) if p.tag == "picture")]
    holders += [source for picture in holders[1:] for source in picture.iter("source")]
    offered = [
        candidate
        for holder in holders
        for attribute in _SRCSET_ATTRIBUTES
        for candidate, _ in _parse_srcset(holder.get(attribute))
    ]
    offered += [img.get(a) or "" for a in ("src", *_LAZY_URL_ATTRIBUTES)]
    return [u for u in (_absolute_http_url(base_url, c.strip()) for c in offered if c.strip()) if u]


def _page_titles(page: HtmlElement) -> set[str]:
    """The article's headline as the page prints and declares it: a picture's caption is never one of them."""
    titles = {visible_text(h1) for h1 in page.iter("h1")}
    titles |= {
        " ".join((meta.get("content") or "").split())
        for meta in page.iter("meta")
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title")
    }
    title = page.find(".//title")
    if title is not None and title.text:
        titles.add(" ".join(title.text.split()))
    return {t.casefold() for t in titles if t}


def _reconciled(printed: _Printed, stated: list[PictureFacts], titles: set[str]) -> _ImageText:
    """The printed caption and credit, completed and checked by what the page states about the picture
    (`stated`, most trusted first). Dates, times and control labels are dropped from every source, and a
    caption that is the article's headline is no caption."""
    text = _ImageText()
    caption = without_printed_chrome(printed.caption)
    credit = None if is_timestamp(printed.credit) or is_ui_label(printed.credit) else printed.credit
    if caption:
        text.caption, text.caption_source = caption, printed.source
    if credit:
        text.credit, text.credit_source = credit, printed.source
    described = next((fact for fact in stated if fact.caption and fact.source != "og:image:alt"), None)
    if described is not None and text.caption and described.caption:
        whole = " ".join(described.caption.split())
        clean, _ = split_credit(whole)
        if clean and text.caption not in (clean, whole) and text.caption.startswith(clean):
            # The stated caption, when the printed one is it plus leftovers, is the clean one.
            text.caption, text.caption_source = clean, described.source
    for fact in stated:
        if text.caption is None and fact.caption:
            if fact.source == "og:image:alt":
                caption, from_caption = without_printed_chrome(fact.caption), None
            else:
                caption, from_caption = split_credit(fact.caption)
                caption = without_printed_chrome(caption)
            if caption and caption.casefold() not in titles:
                text.caption, text.caption_source = caption, fact.source
                if text.credit is None and _credit_or_none(from_caption):
                    text.credit, text.credit_source = _credit_or_none(from_caption), fact.source
        if text.credit is None and _credit_or_none(fact.credit):
            text.credit, text.credit_source = _credit_or_none(fact.credit), fact.source
    return text


def _credit_or_none(credit: str | None) -> str | None:
    """A credit without its label and brackets ("(Image: Getty Images)" -> "Getty Images"), unless it is a date
    line or a control label."""
    if not credit or is_timestamp(credit) or is_ui_label(credit):
        return None
    _, labelled = split_credit(credit)
    return labelled or credit.strip("()[] /|–—-:·") or None


# ---------------------------------------------------------------- captions


@dataclass(slots=True)
class _Printed:
    """An image's caption and credit as the page prints them; `loose` is a caption printed outside any figure."""

    caption: str | None = None
    credit: str | None = None
    loose: HtmlElement | None = None
    source: str = "figure"


def _caption_and_credit(img: HtmlElement, profile: object | None) -> _Printed:
    """Caption (without credit) and credit for an image, read from its figure or caption-like neighbours."""
    container = _figure_of(img)
    if container is None:
        sibling = _sibling_caption(img)
        if sibling is None:
            return _Printed(credit=_title_credit(img))
        caption, credit = split_credit(visible_text(sibling))
        return _Printed(caption=caption, credit=credit, loose=sibling)
    caption_element = _first(select(container, getattr(profile, "caption", None)))
    credit_element = _first(select(container, getattr(profile, "credit", None)))
    profiled = caption_element is not None or credit_element is not None
    if caption_element is None:
        caption_element = next(container.iter("figcaption"), None)
    if caption_element is None:
        caption_element = _classed(container, _CAPTION_CLASS, img)
    if caption_element is None and container.tag == "figure":
        caption_element = _caption_after(container)
    credit_piece = None
    if caption_element is None:
        caption_element, credit_piece = _unlabelled_caption_pieces(container, img)
    if caption_element is not None and (
        caption_element.tag != "figcaption" and _holds_heading(caption_element)
    ):
        # A block holding a heading beside the picture is a teaser (kicker, title, summary), not its caption.
        caption_element = None
    if credit_element is None:
        scope = caption_element if caption_element is not None else container
        credit_element = _first_found(
            lambda: _classed(scope, _CREDIT_CLASS, img),
            lambda: _credit_tag(container, img),
            lambda: _classed(container, _CREDIT_CLASS, img) if caption_element is not None else None,
            lambda: credit_piece,
            lambda: _trailing_credit(caption_element) if caption_element is not None else None,
            lambda: _leading_credit(caption_element) if caption_element is not None else None,
        )
    if _holds_caption(credit_element, caption_element):
        credit_element = None
    if caption_element is None and credit_element is None:
        return _Printed(credit=_title_credit(img))
    credit = visible_text(credit_element) if credit_element is not None else None
    caption_text = _text_without(caption_element, credit_element) if caption_element is not None else None
    if caption_text:
        # "Swedish police officer - Copyright": the credit's label printed apart from it.
        caption_text = _TRAILING_LABEL.sub("", caption_text)
    continued = _text_after(credit_element) if credit_element is not None else ""
    if (
        credit
        and continued.startswith(("/", "|", "via "))
        and len(continued) <= 80
        and caption_text
        and caption_text.endswith(continued)
    ):
        # "<span>Photo by X</span> / AFP via Getty Images": the credit goes on after its element.
        credit = f"{credit} {continued}"
        caption_text = caption_text[: -len(continued)].rstrip()
    # Beside a credit element of its own, a caption's trailing "(…)" is part of the caption as printed
    # ("… in Madrid (España).", "… (AP Photo/Jane Doe)"); only a labelled credit is still split off.
    caption, printed_credit = split_credit(caption_text or "", labelled_only=bool(credit))
    if credit:
        _, labelled = split_credit(credit)
        credit = labelled or credit.strip("()[] /|–—-:·") or None
        if credit and _LABEL_ONLY.match(credit):
            # A credit element that prints only its label ("Copyright"), the name being elsewhere.
            credit = None
        if credit:
            # "Anett Seidler | Anett Seidler": agency and photographer fields holding the same name.
            parts = [part.strip() for part in credit.split("|")]
            if len(parts) == 2 and parts[0] == parts[1]:
                credit = parts[0]
    if is_timestamp(credit) or is_ui_label(credit):
        credit = None
    credit = credit or printed_credit or _title_credit(img)
    # A date or a count ("02/10/2020", "2 727 0") is neither a caption nor a credit.
    return _Printed(
        caption=caption if _has_letters(caption) else None,
        credit=credit if _has_letters(credit) else None,
        source="profile" if profiled else "figure",
    )


def _holds_heading(element: HtmlElement) -> bool:
    return any(inner.tag in HEADING_TAGS for inner in element.iterdescendants())


def _has_letters(text: str | None) -> bool:
    return bool(text) and any(character.isalpha() for character in text)


def _text_after(element: HtmlElement) -> str:
    """The text printed after an element inside its parent: its tail and the following siblings."""
    parts = [element.tail or ""]
    for sibling in element.itersiblings():
        if is_element(sibling):
            parts.append(visible_text(sibling))
        parts.append(sibling.tail or "")
    return " ".join(" ".join(parts).split())


def _sibling_caption(img: HtmlElement) -> HtmlElement | None:
    """A caption printed right after the image outside any figure: a caption-classed element, or a short
    paragraph that ends in a credit ("… (AFP)"), as pages with JSON-LD and plain-paragraph captions do."""
    top = img
    for _ in range(3):
        parent = top.getparent()
        if parent is None or parent.tag in ("body", "article", "main") or visible_text(parent):
            break
        if sum(1 for _ in parent.iter(*_IMAGE_TAGS)) > 1 and not _is_same_picture_group(parent):
            break
        top = parent
    following = top.getnext()
    while following is not None and not is_element(following):
        following = following.getnext()
    if following is None or (top.tail or "").strip():
        return None
    text = visible_text(following)
    if (
        not text
        or len(text) > 400
        or next(following.iter(*_IMAGE_TAGS, "button", "form", "input"), None) is not None
    ):
        return None
    if following.tag == "figcaption" or _CAPTION_CLASS.search(attributes_text(following)):
        return following
    if following.tag in ("p", "div", "span", "small", "em") and split_credit(text)[1] is not None:
        return following
    return None


def _title_credit(img: HtmlElement) -> str | None:
    """A credit only in the image's title attribute: "… | Bildquelle: WDR / Biernat"."""
    title = img.get("title") or ""
    # Only a labelled credit: a title's trailing parenthesis is as often a place or a date.
    return split_credit(title)[1] if re.search(r"[:©]", title) else None


def _first_found(*finders: Callable[[], HtmlElement | None]) -> HtmlElement | None:
    """The first finder's element that is not None (lxml elements without children are falsy)."""
    for finder in finders:
        found = finder()
        if found is not None:
            return found
    return None


def _credit_tag(container: HtmlElement, img: HtmlElement) -> HtmlElement | None:
    """<footer>, <small> or <cite> in a figure: the credit line by HTML semantics."""
    for element in container.iter("footer", "small", "cite"):
        if not _contains(element, img) and visible_text(element):
            return element
    return None


def _trailing_credit(caption: HtmlElement) -> HtmlElement | None:
    """The caption's last short piece, printed apart from the sentence: <span>text</span><span>dpa</span>."""
    node = caption
    while len(node) == 1 and is_element(node[0]) and not (node.text or "").strip():
        node = node[0]
    pieces = [child for child in node if is_element(child) and visible_text(child) and not _is_control(child)]
    if not pieces or (len(pieces) < 2 and not (node.text or "").strip()):
        return None
    last = pieces[-1]
    if (last.tail or "").strip() or next(last.iter("img"), None) is not None:
        return None
    before = visible_text(pieces[-2]) if len(pieces) > 1 else (node.text or "").strip()
    if before.endswith(":"):
        # "<span>Rescue at sea:</span> <span>Fishermen free an eagle</span>": a kicker and its headline.
        return None
    text = visible_text(last)
    if len(text) > 100 or len(text.split()) > 10 or text.endswith((".", "!", "?", ":", "…")):
        return None
    return last


def _leading_credit(caption: HtmlElement) -> HtmlElement | None:
    """A credit line printed first and broken off the caption: <span>Agency</span><br>The caption…"""
    first = next((child for child in caption if is_element(child)), None)
    if first is None or (caption.text or "").strip() or (first.tail or "").strip():
        return None
    following = first.getnext()
    text = visible_text(first)
    if following is None or following.tag != "br" or not text or len(text.split()) > 8:
        return None
    if text.endswith((".", "!", "?", ":", "…")) or len(visible_text(caption)) < 2 * len(text):
        return None
    return first


def _figure_of(img: HtmlElement) -> HtmlElement | None:
    """The smallest ancestor that holds the image and its caption: a <figure> or a figure-like wrapper."""
    for steps, parent in enumerate(_ancestors_without_sources(img)):
        if steps > 5 or parent.tag in ("body", "article", "main", "html"):
            return None
        if parent.tag == "figure":
            return parent
        if parent.tag in ("a", "picture", "noscript", "span"):
            continue
        if _picture_count(parent) > 1 and not _is_same_picture_group(parent):
            return None
        if sum(1 for _ in parent.iter("p")) > 2:
            # Paragraphs around the image: this is the article text, not a figure.
            return None
        if (
            next(parent.iter("figcaption"), None) is not None
            or _classed(parent, _CAPTION_CLASS, img) is not None
        ):
            return parent
        if _classed(parent, _CREDIT_CLASS, img) is not None and _FIGURE_CLASS.search(attributes_text(parent)):
            return parent
        if any(piece is not None for piece in _unlabelled_caption_pieces(parent, img)):
            return parent
        if len(visible_text(parent)) > 600:
            return None
    return None


def _unlabelled_caption_pieces(
    parent: HtmlElement, img: HtmlElement
) -> tuple[HtmlElement | None, HtmlElement | None]:
    """A wrapper holding just the picture and one or two short texts (hashed class names, no caption class):
    (caption, credit). Nothing else may be in the wrapper, so body text never qualifies. A credit may come
    before the picture ("Foto: X" above it) or after the caption; paragraphs and headings count as caption
    pieces only beside such a credit, since a picture then a paragraph is as often the article text."""
    holder = None
    pieces: list[HtmlElement] = []
    for child in parent:
        if not is_element(child) or child.tag == "noscript":
            continue
        if child is img or _contains(child, img):
            holder = child
        elif visible_text(child):
            pieces.append(child)
    if holder is None or (parent.text or "").strip() or not 1 <= len(pieces) <= 2:
        return None, None
    if len(visible_text(holder)) > 50:
        # The picture sits in a teaser or list with text of its own: this wrapper is no figure.
        return None, None
    credits = [child for child in pieces if _is_credit_line(child)]
    credit = credits[-1] if credits else None
    # Captions run longer than body-like text may beside a credit (or with one inside), which says the
    # wrapper is a figure.
    credited = credit is not None or any(_classed(child, _CREDIT_CLASS, img) is not None for child in pieces)
    longest = 500 if credited else 300
    for child in pieces:
        if (
            len(visible_text(child)) > longest
            or child.tag in ("ul", "ol", "table", "h2", "h3")
            or next(child.iter("a", "img", "button", "form"), None) is not None
            or (child.tail or "").strip()
        ):
            return None, None
    before = [child for child in pieces if parent.index(child) < parent.index(holder)]
    if before and before != credits[:1]:
        return None, None
    captions = [child for child in pieces if child is not credit]
    if not captions:
        return None, credit
    caption = captions[0]
    first = visible_text(caption)
    if (
        len(first.split()) < (1 if credit is not None else 3)
        or _GALLERY_BUTTON.search(first)
        or _GALLERY_BUTTON.search(attributes_text(caption))
    ):
        return None, None
    if credit is None and len(captions) == 2:
        if len(visible_text(captions[1]).split()) > 8:
            return None, None
        credit = captions[1]
    block_caption = caption.tag in ("p", "h1", "h4", "h5", "h6")
    if block_caption and credit is None and _trailing_credit(caption) is None:
        return None, None
    return caption, credit


def _is_credit_line(element: HtmlElement) -> bool:
    """A text that is only a credit: "Foto: X", "© X", "(AFP)", or an element whose class says credit."""
    text = visible_text(element)
    if _CREDIT_CLASS.search(attributes_text(element)) and len(text.split()) <= 12:
        return True
    caption, credit = split_credit(text)
    return caption is None and credit is not None


def _holds_caption(credit: HtmlElement | None, caption: HtmlElement | None) -> bool:
    """A credit-classed wrapper around the caption, or a <small> that is the whole caption, is not the credit
    line; an element whose class says credit and that is all the caption prints stays the credit."""
    if credit is None or caption is None:
        return False
    if _contains_or_is(credit, caption):
        return True
    text = visible_text(credit)
    return (
        text == visible_text(caption)
        and not _CREDIT_CLASS.search(attributes_text(credit))
        and split_credit(text)[0] is not None
    )


def _caption_after(figure: HtmlElement) -> HtmlElement | None:
    """<figure><img></figure><figcaption>…</figcaption>: the caption printed right after the figure, or after
    the wrappers that hold nothing but the figure."""
    node = figure
    for _ in range(3):
        following = node.getnext()
        while following is not None and not is_element(following):
            following = following.getnext()
        if following is not None:
            if following.tag == "figcaption" or _CAPTION_CLASS.search(attributes_text(following)):
                return following if visible_text(following) else None
            return None
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "article", "main") or (node.tail or "").strip():
            return None
        if any(is_element(c) and c is not node and visible_text(c) for c in parent):
            return None
        node = parent
    return None


def _picture_count(parent: HtmlElement) -> int:
    """Images in the element, icons (a zoom glyph, a gallery badge) aside."""
    return sum(1 for img in parent.iter(*_IMAGE_TAGS) if not _looks_like_icon(img))


def _looks_like_icon(img: HtmlElement) -> bool:
    get = img.get
    return _icon_attributes(get("width"), get("height"), get("src"), get("class"), get("id"))


@lru_cache(maxsize=4096)
def _icon_attributes(
    width_value: str | None,
    height_value: str | None,
    src: str | None,
    class_name: str | None,
    ident: str | None,
) -> bool:
    """`_looks_like_icon` from the attributes it reads. Cached: each image is asked about once per ancestor
    level of every image near it, and a site's icons repeat on every page."""
    width, height = _int(width_value), _int(height_value)
    source = (src or "").split("?", 1)[0]
    return (
        (width is not None and width <= _TINY)
        or (height is not None and height <= _TINY)
        or source.endswith(".svg")
        or _attributes_match(_NOT_CONTENT_CLASS, class_name, ident)
    )


def _is_same_picture_group(parent: HtmlElement) -> bool:
    """Several <img> that are one picture: a lazy image and its <noscript> fallback."""
    return (
        sum(1 for img in parent.iter(*_IMAGE_TAGS) if not _inside_noscript(img) and not _looks_like_icon(img))
        <= 1
    )


def _classed(container: HtmlElement, pattern: re.Pattern[str], img: HtmlElement) -> HtmlElement | None:
    """The first element inside the container (not the image) whose class or id matches and that prints
    text; for credits, not one that prints only its label ("Copyright"), the name following elsewhere."""
    holders = set(img.iterancestors())  # the elements the image is inside
    for element in container.iter():
        if (
            not is_element(element)
            or element is container
            or element.tag in ("img", "picture", "source", "a")
        ):
            continue
        if element in holders:
            continue
        if _attributes_match(pattern, element.get("class"), element.get("id")) and (
            text := visible_text(element)
        ):
            if (pattern is _CREDIT_CLASS and _LABEL_ONLY.match(text)) or is_ui_label(text):
                continue
            return element
    return None


@lru_cache(maxsize=8192)
def _attributes_match(pattern: re.Pattern[str], class_name: str | None, ident: str | None) -> bool:
    """`pattern` found in the class and id (as `attributes_text`). Cached: `_classed` reads every element of
    each figure candidate, several levels up from every image."""
    return bool(pattern.search(f"{class_name or ''} {ident or ''}".lower()))


def _is_control(element: HtmlElement) -> bool:
    """Not caption text: a <noscript> notice, a button ("More", "Vis mer"), an element the page hides or
    prints for screen readers only ("Skip the gallery"), an icon (an <svg> and its title) or a control's
    printed label ("Camera Icon", "Expand")."""
    return (
        element.tag in ("noscript", "button", "svg")
        or (element.get("role") or "").lower() == "button"
        or element.get("hidden") is not None
        or bool(_SCREEN_READER_CLASS.search(attributes_text(element)))
        or is_ui_label(visible_text(element))
    )


def _text_without(element: HtmlElement, excluded: HtmlElement | None) -> str:
    """The element's text without `excluded` (the credit) and without controls: <noscript> notices ("You need
    JavaScript to see this video"), buttons and hidden toggles ("More", "Vis mer")."""
    if (excluded is None or not _contains_or_is(element, excluded)) and not any(
        _is_control(inner) for inner in element.iter() if is_element(inner)
    ):
        return visible_text(element)
    parts: list[str] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        if child is excluded or (is_element(child) and _is_control(child)):
            pass
        elif is_element(child):
            parts.append(_text_without(child, excluded))
        if child.tail:
            parts.append(child.tail)
    return " ".join(" ".join(parts).split())


# ---------------------------------------------------------------- filters and helpers


def _not_content(img: HtmlElement, source: ImageSource) -> bool:
    width, height = _int(img.get("width")), _int(img.get("height"))
    if (width is not None and width <= _TINY) or (height is not None and height <= _TINY):
        return True
    if _NOT_CONTENT_URL.search(source.url.split("?", 1)[0]):
        return True
    return any(_NOT_CONTENT_CLASS.search(attributes_text(p)) for p in [img, *_up_to(img, 2)])


def _first_paragraph(region: HtmlElement, excluded: set[HtmlElement]) -> HtmlElement | None:
    """The article's first paragraph: a <p>, or a div of inline content, of sentence length."""
    for paragraph in region.iter("p", "div"):
        if paragraph.tag == "div" and any(
            is_element(c) and c.tag in ("div", "p", "figure", "ul") for c in paragraph
        ):
            continue
        if _CAPTION_CLASS.search(attributes_text(paragraph)):
            continue
        if (
            len(visible_text(paragraph)) >= 60
            and not is_inside(paragraph, excluded)
            and _figure_of_paragraph(paragraph)
        ):
            return paragraph
    return None


def _figure_of_paragraph(paragraph: HtmlElement) -> bool:
    return not any(p.tag in ("figure", "figcaption") for p in _up_to(paragraph, 4))


def _before(first: HtmlElement, second: HtmlElement) -> bool:
    """Document order, by walking the tree once; lxml has no compareDocumentPosition."""
    for element in first.getroottree().getroot().iter():
        if element is first:
            return True
        if element is second:
            return False
    return False


def _inside_noscript(img: HtmlElement) -> bool:
    return any(p.tag == "noscript" for p in _up_to(img, 3))


def _has_sibling_image(img: HtmlElement) -> bool:
    noscript = next(p for p in _up_to(img, 3) if p.tag == "noscript")
    parent = noscript.getparent()
    if parent is None:
        return False
    return any(other is not img and not _inside_noscript(other) for other in parent.iter("img"))


def _up_to(element: HtmlElement, count: int) -> list[HtmlElement]:
    """The nearest `count` ancestors, not counting <source>: libxml2 nests an <img> inside the <source>
    elements before it (it does not know <source> is void)."""
    out: list[HtmlElement] = []
    for parent in _ancestors_without_sources(element):
        out.append(parent)
        if len(out) >= count:
            break
    return out


def _ancestors_without_sources(element: HtmlElement) -> Iterator[HtmlElement]:
    return (parent for parent in ancestors(element) if parent.tag != "source")


def _contains(container: HtmlElement, element: HtmlElement) -> bool:
    return any(parent is container for parent in ancestors(element))


def _contains_or_is(container: HtmlElement, element: HtmlElement) -> bool:
    return container is element or _contains(container, element)


def _first(elements: list[HtmlElement]) -> HtmlElement | None:
    return elements[0] if elements else None


@lru_cache(maxsize=4096)
def _parse_srcset(value: str | None) -> tuple[tuple[str, float], ...]:
    """The candidates of a srcset. Cached: an image's srcset is read once per rule that asks for its URL."""
    if not value:
        return ()
    candidates = []
    # Split on commas that end a candidate (followed by whitespace), so commas inside URLs survive.
    for part in re.split(r",\s+", value.strip()):
        pieces = part.strip().split()
        if not pieces or _PLACEHOLDER.search(pieces[0]):
            continue
        descriptor = pieces[1] if len(pieces) > 1 else "1x"
        try:
            weight = float(descriptor[:-1]) if descriptor[-1] in "wx" else 1.0
        except ValueError:
            weight = 1.0
        candidates.append((pieces[0].rstrip(","), weight))
    return tuple(candidates)


def _non_default_media(source: HtmlElement) -> bool:
    """<source type="image/webp"> duplicates the <img>; any source is fine, but skip non-image types."""
    kind = (source.get("type") or "image/").lower()
    return not kind.startswith("image/")


def _int(value: str | None) -> int | None:
    if not value:
        return None
    match = re.match(r"\s*(\d{1,5})", value)
    return int(match.group(1)) if match else None
