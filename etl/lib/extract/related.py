"""Read the cards of a related-articles block: target, title, section, summary, image, caption, byline."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml.html import HtmlElement

from etl.lib.extract.dom import HEADING_TAGS, ancestors, attributes_text, is_element, select, visible_text
from etl.lib.extract.images import image_source
from etl.lib.extract.regions import LinkTargets, article_link_url, is_related_heading
from etl.lib.records import ExtractedRelatedLink

_SECTION_CLASS = re.compile(
    r"kicker|section|categor|(?:^|[\s_-])cat(?:$|[\s_-])|label|rubri|eyebrow|overline|topic|tag|dachzeile|surtitle"
)
_SUMMARY_CLASS = re.compile(r"summary|excerpt|desc|teaser|dek|lead|abstract|intro|standfirst|snippet|brief")
_BYLINE_CLASS = re.compile(r"byline|author|writer|(?:^|[\s_-])by(?:$|[\s_-])|source|reporter|dateline")
_CAPTION_CLASS = re.compile(r"caption|legend|figcaption|credit")
_TITLE_CLASS = re.compile(r"title|headline|heading|(?:^|[\s_-])hed(?:$|[\s_-])")
_DATE_CLASS = re.compile(r"date|time|ago")
# «الشرق الأوسط» (موسكو), براكريتي غوبتا (نيودلهي), "By Jane Doe", "Jane Doe (Berlin)"
_BYLINE_TEXT = re.compile(
    r"^(?:«[^»]{1,60}»\s*(?:\([^()]{1,40}\))?|[^()«»]{2,50}\s*\([^()]{1,40}\)|(?:by|von|par|por|di)\s+\S.{0,60})$",
    re.I,
)


def read_related_cards(
    blocks: list[list[HtmlElement]], page_url: str, profile: object | None = None
) -> list[ExtractedRelatedLink]:
    """One record per distinct target URL across the page's related blocks, in document order."""
    links: list[ExtractedRelatedLink] = []
    by_url: dict[str, ExtractedRelatedLink] = {}
    for block in blocks:
        for card_url, card in _cards(block, page_url, profile):
            link = _read_card(card, card_url, page_url)
            if card_url in by_url:
                # The same target twice (an inline "Read more:" link and a card): one link, every field read.
                _fill_missing(by_url[card_url], link)
                continue
            link.position = len(links)
            by_url[card_url] = link
            links.append(link)
    return links


def _fill_missing(link: ExtractedRelatedLink, other: ExtractedRelatedLink) -> None:
    for name in ("title", "section", "summary", "image_url", "image_caption", "byline"):
        if getattr(link, name) is None:
            setattr(link, name, getattr(other, name))


def _cards(
    block: list[HtmlElement], page_url: str, profile: object | None
) -> list[tuple[str, list[HtmlElement]]]:
    """Each card as (target URL, the elements that make it up)."""
    card_selector = getattr(profile, "related_card", None)
    if card_selector:
        cards = []
        for root in block:
            for card in select(root, card_selector):
                url = next((u for a in card.iter("a") if (u := article_link_url(a, page_url))), None)
                if url:
                    cards.append((url, [card]))
        if cards:
            return cards

    # Each anchor's target, read once: the climb below asks again for every anchor of every wrapper level.
    target_of = LinkTargets(page_url)
    anchors: list[tuple[str, HtmlElement]] = []
    for root in block:
        for anchor in root.iter("a"):
            target = target_of(anchor)
            if target:
                anchors.append((target, anchor))
    order: list[str] = []
    first_anchor: dict[str, HtmlElement] = {}
    for target, anchor in anchors:
        if target not in first_anchor:
            first_anchor[target] = anchor
            order.append(target)
    roots = set(block)

    def targets_in(element: HtmlElement) -> set[str]:
        return {target for anchor in element.iter("a") if (target := target_of(anchor))}

    cards: list[tuple[str, list[HtmlElement]]] = []
    flat: dict[HtmlElement, list[tuple[str, list[HtmlElement]]]] = {}
    for target in order:
        card = first_anchor[target]
        # Climb while the parent still links to this target only: that is the card's wrapper.
        while card not in roots:
            parent = card.getparent()
            if parent is None or targets_in(parent) - {target}:
                break
            card = parent
        cards.append((target, [card]))
        parent = card.getparent()
        if parent is not None and card not in roots and len(targets_in(parent)) > 1:
            flat.setdefault(parent, []).append(cards[-1])
    for parent, members in flat.items():
        _spread_flat_siblings(parent, members, targets_in)
    return cards


def _spread_flat_siblings(
    parent: HtmlElement,
    members: list[tuple[str, list[HtmlElement]]],
    targets_in: Callable[[HtmlElement], set[str]],
) -> None:
    """Flat markup: each card is a run of siblings (a kicker, the title link, a summary, a byline) rather
    than one container. The siblings between two title links belong partly to the card before (its summary
    and byline) and partly to the card after (its kicker or picture): the first card shows how many lead,
    and the split repeats only where the later cards print the same tags in that place."""
    siblings = [child for child in parent if is_element(child)]
    position = {element: index for index, element in enumerate(siblings)}

    def free(element: HtmlElement) -> bool:
        return element.tag not in HEADING_TAGS and not targets_in(element)

    def leads(element: HtmlElement, words: int) -> bool:
        # The block's own label ("Related", a "box-title") is not the first card's kicker, nor is a titled
        # widget ("Social Share" in an <h4>) printed before each card's link.
        text = visible_text(element)
        attributes = attributes_text(element)
        return (
            free(element)
            and len(text.split()) <= words
            and (not text or any(character.isalpha() for character in text))  # a count ("2") is no kicker
            and not is_related_heading(text)
            and (
                _SECTION_CLASS.search(attributes) is not None
                or not (
                    _TITLE_CLASS.search(attributes) or next(element.iter(*HEADING_TAGS), None) is not None
                )
            )
        )

    runs: list[tuple[list[HtmlElement], int, int]] = []
    for target, elements in sorted(members, key=lambda member: position[member[1][0]]):
        start = end = position[elements[0]]
        # The same card's other link (a picture link, then the title link) is part of its run.
        while end + 1 < len(siblings) and targets_in(siblings[end + 1]) == {target}:
            end += 1
        runs.append((elements, start, end))

    first_start = runs[0][1]
    # A single card gives no layout to compare with: only a word or three (a kicker) or a picture lead it.
    words = 8 if len(runs) > 1 else 3
    leading = 0
    while (
        leading < 2 and first_start - leading - 1 >= 0 and leads(siblings[first_start - leading - 1], words)
    ):
        leading += 1
    pattern = [element.tag for element in siblings[first_start - leading : first_start]]
    for index, (_, start, _end) in enumerate(runs[1:], start=1):
        gap = siblings[runs[index - 1][2] + 1 : start]
        while leading and not (
            len(gap) >= leading
            and [element.tag for element in gap[len(gap) - leading :]] == pattern[len(pattern) - leading :]
            and all(leads(element, words) for element in gap[len(gap) - leading :])
        ):
            leading -= 1

    for index, (elements, start, end) in enumerate(runs):
        following = runs[index + 1][1] - leading if index + 1 < len(runs) else len(siblings)
        trailing = []
        for element in siblings[end + 1 : following]:
            if not free(element):
                break
            trailing.append(element)
        elements[:] = siblings[start - leading : end + 1] + trailing


def _read_card(card: list[HtmlElement], target: str, page_url: str) -> ExtractedRelatedLink:
    # The block's own heading ("Mehr zum Thema", "Leggi anche:") is no field of a card that holds it.
    used: set[HtmlElement] = {
        inner
        for root in card
        for element in root.iter()
        if is_element(element) and _is_block_heading(element)
        for inner in element.iter()
    }
    title_element = _title_element(card, target, page_url)
    title = visible_text(title_element) if title_element is not None else None
    if title_element is not None:
        used.update(title_element.iter())

    image_url = caption = None
    img = next((i for root in card for i in root.iter("img")), None)
    if img is not None:
        source = image_source(img, page_url)
        image_url = source.url if source else None
        caption_element = _find(
            card, lambda e: e.tag == "figcaption" or bool(_CAPTION_CLASS.search(attributes_text(e))), used
        )
        if caption_element is not None:
            caption = visible_text(caption_element)
            used.update(caption_element.iter())
        if not title:
            title = " ".join((img.get("alt") or "").split()) or None

    section_element = _find(
        card, lambda e: bool(_SECTION_CLASS.search(attributes_text(e))) and _short(e), used
    )
    if section_element is None:
        # A short link to elsewhere (the section's page) printed before the title is the kicker.
        section_element = _find(
            card,
            lambda e: (
                e.tag == "a"
                and _short(e)
                and article_link_url(e, page_url) is None
                and not _BYLINE_CLASS.search(attributes_text(e))
            ),
            used,
        )
    if section_element is None and title_element is not None:
        # Flat cards: a word or three printed before the title, with no class to say so, is the kicker.
        section_element = _find(
            _roots_before(card, title_element),
            lambda e: (
                _short(e, 4)
                and e.tag != "time"
                and not _BYLINE_CLASS.search(attributes_text(e))
                and not _BYLINE_TEXT.match(visible_text(e))
            ),
            used,
        )
    section = visible_text(section_element) if section_element is not None else None
    if section_element is not None:
        used.update(section_element.iter())

    byline_element = _find(
        card, lambda e: bool(_BYLINE_CLASS.search(attributes_text(e))) and _short(e, 12), used
    )
    if byline_element is None:
        byline_element = _find(card, lambda e: e.tag == "address" or _leaf_matches(e, _BYLINE_TEXT), used)
    byline = visible_text(byline_element) if byline_element is not None else None
    if byline_element is not None:
        used.update(byline_element.iter())

    summary_element = _find(
        card, lambda e: bool(_SUMMARY_CLASS.search(attributes_text(e))) and bool(visible_text(e)), used
    )
    if summary_element is None:
        summary_element = _find(card, lambda e: e.tag == "p" and len(visible_text(e).split()) >= 5, used)
    summary = visible_text(summary_element) if summary_element is not None else None
    if summary and summary == title:
        summary = None

    return ExtractedRelatedLink(
        position=0,
        url=target,
        title=title or None,
        section=section or None,
        summary=summary or None,
        image_url=image_url,
        image_caption=caption or None,
        byline=byline or None,
    )


def _title_element(card: list[HtmlElement], target: str, page_url: str) -> HtmlElement | None:
    # The block's own heading ("Related") is no card's title, when a one-card block is the card. In flat
    # markup the elements that link to the target come first: a heading printed before them is not the title.
    linking = [root for root in card if any(article_link_url(a, page_url) == target for a in root.iter("a"))]
    card = linking + [root for root in card if root not in linking]
    for root in card:
        for element in root.iter():
            if (
                is_element(element)
                and element.tag in HEADING_TAGS
                and (text := visible_text(element))
                and not is_related_heading(text)
            ):
                return element
    for root in card:
        for element in root.iter():
            if not is_element(element) or not (text := visible_text(element)):
                continue
            attributes = attributes_text(element)
            if (
                _TITLE_CLASS.search(attributes)
                and not _SECTION_CLASS.search(attributes)
                and not is_related_heading(text)
            ):
                return element
    anchors = [a for root in card for a in root.iter("a")]
    texts = [(len(visible_text(a)), a) for a in anchors if article_link_url(a, page_url) == target]
    texts = [(n, a) for n, a in texts if n]
    return max(texts, key=lambda pair: pair[0])[1] if texts else None


def _is_block_heading(element: HtmlElement) -> bool:
    # Labels are leaves or headings; reading the text of every wrapper would cost a pass per level.
    if len(element) and element.tag not in HEADING_TAGS:
        return False
    text = element.text_content()
    return len(text) <= 80 and is_related_heading(text)


def _roots_before(card: list[HtmlElement], element: HtmlElement) -> list[HtmlElement]:
    """The card's elements printed before the one holding `element` (in flat markup, a kicker or picture)."""
    out = []
    for root in card:
        if root is element or any(parent is root for parent in ancestors(element)):
            return out
        out.append(root)
    return []


def _find(card: list[HtmlElement], test: object, used: set[HtmlElement]) -> HtmlElement | None:
    for root in card:
        for element in root.iter():
            if (
                not is_element(element)
                or element in used
                or element.tag in ("script", "style", "img", "source")
            ):
                continue
            if any(parent in used for parent in _limited_ancestors(element, root)):
                continue
            # A wrapper of an element already read (the title, the caption) is not a field of its own.
            if any(inner in used for inner in element.iter()):
                continue
            if test(element):  # type: ignore[operator]
                return element
    return None


def _limited_ancestors(element: HtmlElement, root: HtmlElement) -> list[HtmlElement]:
    out = []
    for parent in ancestors(element):
        out.append(parent)
        if parent is root:
            break
    return out


def _short(element: HtmlElement, words: int = 5) -> bool:
    text = visible_text(element)
    return bool(text) and len(text.split()) <= words and not _DATE_CLASS.search(attributes_text(element))


def _leaf_matches(element: HtmlElement, pattern: re.Pattern[str]) -> bool:
    if any(
        is_element(child) and child.tag not in ("span", "b", "strong", "i", "em", "a") for child in element
    ):
        return False
    text = visible_text(element)
    return bool(text) and bool(pattern.match(text))
