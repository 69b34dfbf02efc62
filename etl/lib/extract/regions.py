"""Where things are on the page: the article's own region and the blocks that are not the article.

Found generically from what pages print ("مقالات ذات صلة", "Related", "Lesen Sie auch", "Most read") and what
their markup says (class and id tokens), so unseen sites work; a `SiteProfile` can name them instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urldefrag, urljoin

from lxml.etree import Element
from lxml.html import HtmlElement

from etl.lib.extract.dom import (
    HEADING_TAGS,
    ancestors,
    attributes_text,
    is_element,
    is_inside,
    normalized_label,
    select,
    visible_text,
)

_RELATED_HEADING = re.compile(
    r"^(?:(?:مقالات|مواضيع|اخبار|موضوعات|قصص) ذات صلة|ذات صلة|اقرا ايضا|اقرا المزيد|قد يهمك ايضا|قد يهمك|"
    r"اخترنا لك|related(?: (?:articles?|stories|news|posts|content|coverage|reading|links))?|"
    r"(?:read|see) (?:more|also)|also read|more on this(?: story| topic)?|more (?:stories|news|articles) (?:on|about) .{1,40}|"
    r"you (?:may|might) also like|recommended(?: for you| stories| articles)?|further reading|"
    r"lesen sie (?:auch|mehr)|mehr zum thema|weitere artikel|auch interessant|das k[oö]nnte sie auch interessieren|"
    r"(?:[àa] )?lire aussi|sur le m[eê]me sujet|(?:[àa] )?voir aussi|"
    r"lee (?:tambi[ée]n|m[aá]s)|art[ií]culos relacionados|noticias relacionadas|leggi anche|ler tamb[ée]m)$"
)
_MOST_READ_HEADING = re.compile(
    r"^(?:الاكثر (?:قراءة|مشاهدة|تداولا)|اخترنا لكم|most (?:read|popular|viewed|shared)|popular(?: now| stories)?|"
    r"trending(?: now)?|top stories|meistgelesen(?:e artikel)?|am meisten gelesen|meist ?gelesen|"
    r"les plus lus|lo m[aá]s le[ií]do|i pi[uù] letti|latest(?: news)?|الاخبار العاجلة|اخر الاخبار|"
    r"آخر الأخبار|المزيد من .{1,30})$"
)
_RELATED_CLASS = re.compile(
    r"(?:^|[\s_-])(?:related|relatedposts|relatedarticles|read-?also|also-?read|read-?more-?(?:articles|stories)|"
    r"see-?also|more-?(?:stories|articles|news|on-this)|mehr-?zum-?thema|lesen-?sie-?auch|a-?lire-?aussi|"
    r"recommended|recirc|outbrain|taboola)"
)
_MOST_READ_CLASS = re.compile(
    r"most-?(?:read|popular|viewed)|mostread|meistgelesen|popular|trending|top-?stories"
)
_WIDGET_CLASS = re.compile(
    r"font-?size|text-?size|fontsize|textsize|font-?resize|text-?resize|font-?control|zoom-?text|"
    r"share|social|sharing|print-?button|newsletter|subscribe|comments?(?:$|[\s_-])|disqus|advert|(?:^|[\s_-])ads?(?:$|[\s_-])|"
    r"breadcrumb|tags?-?list|(?:^|[\s_-])tags(?:$|[\s_-])|author-?(?:box|bio|info)|avatar|logo|promo"
)
# Widgets whose text trafilatura keeps inside the article: sign-up prompts, share and rating bars.
_OUT_OF_TEXT_WIDGET = re.compile(r"newsletter|subscribe|promo|sharedaddy|sharing")
_WIDGET_TEXT = re.compile(r"^(?:tt|t t|a a|a- ?a\+|a\+ ?a-|aa)$")
# A word each alternative of the three class patterns above contains (keep it so when adding one): a plain
# word list, which re scans 4x faster than the patterns, so most class values are ruled out by one search.
_BLOCK_CLASS_WORD = re.compile(
    "related|also|see|more|mehr|lesen|lire|recommended|recirc|outbrain|taboola|"
    "most|meistgelesen|popular|trending|top|"
    "font|text|zoom|shar|social|print|newsletter|subscribe|comment|disqus|ad|tag|author|avatar|logo|promo"
)
_TEXT_SIZE_TAGS = {"div", "span", "ul", "p", "li"}
_MEDIA_TAGS = {"img", "amp-img", "picture", "source", "figure", "figcaption", "video"}
_CHROME_TAGS = {"nav", "footer", "aside", "form", "iframe"}
_CHROME_OR_HEADER_TAGS = _CHROME_TAGS | {"header"}
_NOT_LABEL_TAGS = {"a", "html", "body", "head", "title", "script", "style", "option", "li"}
# Subtrees that hold no block of the page: walking their thousands of elements (icons' paths, <meta> and
# <link> tags, options) found nothing.
_OPAQUE_TAGS = {"head", "svg", "select", "math"}
# The least text a paragraph block holds (see _text_blocks); anything shorter is a label, a date, a button.
_PARAGRAPH_MIN_CHARS = 25
_ARTICLE_CLASS = re.compile(r"article|story|post|entry|content|news|detail|main|body|text")


@dataclass(slots=True)
class Regions:
    """The page's parts, as elements of the one parsed tree."""

    article: HtmlElement  # the article's own region (title, lead image, body)
    related: list[list[HtmlElement]] = field(default_factory=list)  # one list of elements per block
    most_read: list[HtmlElement] = field(default_factory=list)
    widgets: list[HtmlElement] = field(default_factory=list)  # text-size, share, ads, tags, author boxes
    chrome: list[HtmlElement] = field(default_factory=list)  # nav, footer, aside, site header
    # paragraph text (characters) under each element that holds any; an element missing here holds none
    paragraph_text: dict[HtmlElement, int] = field(default_factory=dict)

    def excluded(self) -> set[HtmlElement]:
        """Elements whose images and text are not the article's."""
        blocks = {element for block in self.related for element in block}
        return blocks | set(self.most_read) | set(self.widgets) | set(self.chrome)

    def body_excluded(self) -> list[HtmlElement]:
        """What must not reach trafilatura's body text or metadata.

        Page chrome goes too, though trafilatura's body would drop it anyway: its metadata pass (htmldate, byline
        and category heuristics) walks the whole tree, and without menus, footers and sidebars a page costs about
        12% less and copyright years stop passing for dates, menu links for tags. The site header stays: the
        article's own heading and byline can live there.
        """
        blocks = [element for block in self.related for element in block]
        return (
            blocks
            + self.most_read
            + [
                w
                for w in self.widgets
                if _WIDGET_TEXT.match(normalized_label(visible_text(w)))
                or _OUT_OF_TEXT_WIDGET.search(attributes_text(w))
            ]
            + [element for element in self.chrome if element.tag != "header"]
        )

    def textless_outside_article(self) -> list[HtmlElement]:
        """The blocks beside the article region, and beside each of its ancestors up to <body>, that hold
        nothing to read: no paragraph, and either no more than a label's worth of text or mostly link text
        (teaser lists, galleries, advert slots, empty shells). Never one holding the headline.

        trafilatura walks every element it is given (its cleaning rules, the extraction, readability's second
        opinion) only to throw these away: without them the corpus's pages cost about 5% less to extract, with
        the same accuracy. Prose stays wherever it is, even text the paragraph finder does not see. Drop them
        only after every rule that reads the whole page has run.
        """
        path = [self.article, *self.article.iterancestors()]
        if not any(node.tag == "body" for node in path):
            return []  # a region the parser put outside <body> (broken markup): leave the page whole
        outside = []
        for node in path:
            if node.tag == "body":
                break
            for sibling in (*node.itersiblings(preceding=True), *node.itersiblings()):
                if self._nothing_to_read(sibling):
                    outside.append(sibling)
        return outside

    def _nothing_to_read(self, element: HtmlElement) -> bool:
        if not isinstance(element.tag, str) or element in self.paragraph_text:
            return False
        if element.tag == "h1" or next(element.iter("h1"), None) is not None:
            return False
        text = len(visible_text(element))
        if text < _PARAGRAPH_MIN_CHARS:
            return True
        links = sum(len(visible_text(link)) for link in element.iter("a"))
        return text - links < _PARAGRAPH_MIN_CHARS or links > text / 2


def find_regions(tree: HtmlElement, url: str, profile: object | None = None) -> Regions:
    """Locate the article region, the related and most-read blocks, widgets and page chrome."""
    related = _profile_blocks(tree, getattr(profile, "related", None))
    most_read: list[HtmlElement] = []
    widgets: list[HtmlElement] = []
    chrome: list[HtmlElement] = []
    # Every element in document order, read once by lxml's C iterator: a Python walk over children cost more
    # than all the rules, and an XPath scan of the tree costs as much as this list.
    elements = list(tree.iter(Element))
    page = _Page(tree, url, elements)
    # Elements the walk skips: whatever is claimed (a block is read once, as a whole) and opaque subtrees.
    claimed: set[HtmlElement] = set()
    for block in related:
        _claim(claimed, block)

    # Document order; only the few elements that can be a block do any work beyond a few attribute reads.
    for element in elements:
        if element in claimed:
            continue
        tag = element.tag
        if tag in _OPAQUE_TAGS:
            claimed.update(element.iter(Element))
            continue
        if tag in _CHROME_OR_HEADER_TAGS and (tag != "header" or not _inside_article_tag(element)):
            if not page.is_article_text(element):
                chrome.append(element)
            continue
        own_text = element.text
        if tag in HEADING_TAGS or (
            own_text and tag not in _NOT_LABEL_TAGS and _is_label_element(element, own_text)
        ):
            kind = _label_kind(visible_text(element))
            if kind is not None:
                block = page.block_from_heading(element)
                if block:
                    if kind == "related":
                        related.append(block)
                    else:
                        most_read.extend(block)
                    _claim(claimed, block)
                continue
        kinds = _attribute_kinds(element.get("class")) | _attribute_kinds(element.get("id"))
        if kinds and tag not in ("html", "body"):
            if kinds & _RELATED and page.is_link_block(element):
                related.append([element])
                _claim(claimed, [element])
            elif kinds & _MOST_READ and page.is_link_block(element):
                most_read.append(element)
                _claim(claimed, [element])
            elif (
                kinds & _WIDGET
                and tag not in _MEDIA_TAGS
                and page.is_small(element)
                and not _holds_media(element)
            ):
                widgets.append(element)
                _claim(claimed, [element])
        if tag in _TEXT_SIZE_TAGS and len(element) <= 3 and (own_text is None or len(own_text.strip()) <= 5):
            # The text-size widget prints "TT" (or "A A") and no class may say what it is.
            text = _short_visible_text(element, own_text)
            if text and _WIDGET_TEXT.match(normalized_label(text)):
                widgets.append(element)
                _claim(claimed, [element])

    for selector in getattr(profile, "exclude", None) or []:
        widgets.extend(_select(tree, selector))
    excluded = (
        {element for block in related for element in block} | set(most_read) | set(widgets) | set(chrome)
    )
    article = _profile_article(tree, profile)
    if article is None:
        article = _article_region(tree, page, excluded)
    return Regions(
        article=article,
        related=related,
        most_read=most_read,
        widgets=widgets,
        chrome=chrome,
        paragraph_text=page.text_under,
    )


class _Page:
    """The page with its main text container, to tell link blocks from the article's own text."""

    def __init__(self, tree: HtmlElement, url: str, elements: list[HtmlElement]) -> None:
        self.url = url
        self.link_target = LinkTargets(url)
        self.blocks = [
            (block, length)
            for block, length in _text_blocks(tree)
            if next(block.iterancestors("a"), None) is None
        ]
        # Paragraph text under each element, summed once from the blocks upward.
        text_under: dict[HtmlElement, int] = {}
        for block, length in self.blocks:
            text_under[block] = text_under.get(block, 0) + length
            for parent in block.iterancestors():
                text_under[parent] = text_under.get(parent, 0) + length
        self.text_under = text_under
        self.paragraph_total = text_under.get(tree, 0) or 1
        self.itemprop_body = _itemprop_body(elements)
        self.body = (
            self.itemprop_body
            if self.itemprop_body is not None
            else _densest_text_container(self.blocks, set())
        )
        self.body_text = self.paragraph_text(self.body) if self.body is not None else 0
        self._body_ancestors = set(ancestors(self.body)) if self.body is not None else set()

    def paragraph_text(self, element: HtmlElement) -> int:
        """Characters of paragraph-like text in the element, link texts (teasers) aside."""
        return self.text_under.get(element, 0)

    def is_article_text(self, element: HtmlElement) -> bool:
        """The element is, holds, or is a large part of the article's main text."""
        if self.body is not None:
            if element is self.body or element in self._body_ancestors:
                return True
            if _contains(self.body, element) and self.paragraph_text(element) > 0.3 * max(self.body_text, 1):
                return True
        text = self.paragraph_text(element)
        return text > 1500 and text > 0.4 * self.paragraph_total

    def is_link_block(self, element: HtmlElement) -> bool:
        """A container of article links that is not the article's own text."""
        return bool(_article_links(element, self)) and not self.is_article_text(element)

    def is_small(self, element: HtmlElement) -> bool:
        return not self.is_article_text(element) and len(visible_text(element)) < 2000

    def block_from_heading(self, heading: HtmlElement) -> list[HtmlElement]:
        """The heading's block: the nearest ancestor holding article links, or the link runs that follow it."""
        node = heading
        for _ in range(6):
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html") or self.is_article_text(parent):
                break
            links = _article_links(parent, self)
            if len(links) >= 2:
                # Cards carry one summary each; more prose than links means article text around a link.
                if _prose_paragraphs(parent, self) <= len(links):
                    return [parent]
                break
            if not (_link_led(parent, self) or len(visible_text(parent)) <= 300):
                break
            node = parent
        # The heading sits among the article's own elements: its block is the run of link-led siblings after
        # it ("Read more:" then a list of links), never the paragraphs that continue the article.
        siblings: list[HtmlElement] = [node]
        for sibling in node.itersiblings():
            if not is_element(sibling):
                continue
            if sibling.tag in HEADING_TAGS or not _link_led(sibling, self):
                break
            siblings.append(sibling)
        if any(_article_links(element, self) for element in siblings):
            return siblings
        return []


def _prose_paragraphs(element: HtmlElement, page: _Page) -> int:
    """Paragraphs of 80+ characters with no article link in them."""
    return sum(
        1
        for paragraph in element.iter("p")
        if len(visible_text(paragraph)) >= 80 and not any(page.link_target(a) for a in paragraph.iter("a"))
    )


def _link_led(element: HtmlElement, page: _Page) -> bool:
    """Mostly links to articles: link text is at least half of the text, and not a long paragraph."""
    text = len(visible_text(element))
    if not text or not _article_links(element, page):
        return False
    linked = sum(len(visible_text(a)) for a in element.iter("a"))
    return linked >= 0.5 * text and text < 1500


def _holds_media(element: HtmlElement) -> bool:
    """A figure or picture inside: a "shareable image" wrapper, not a share widget."""
    return next(element.iter("figure", "picture", "figcaption"), None) is not None


def _itemprop_body(elements: list[HtmlElement]) -> HtmlElement | None:
    """The first element below the root marked itemprop="articleBody"."""
    for element in elements[1:]:
        itemprop = element.get("itemprop")
        if itemprop is not None and itemprop.strip().lower() == "articlebody":
            return element
    return None


def _claim(claimed: set[HtmlElement], block: list[HtmlElement]) -> None:
    for root in block:
        claimed.update(root.iter(Element))


def drop_from_body(elements: list[HtmlElement]) -> None:
    """Remove blocks (keeping the text that follows them) so neither trafilatura's body nor its metadata
    heuristics see them: a byline in a related card must not become the article's author."""
    for element in elements:
        if element.getparent() is not None:
            element.drop_tree()


# ---------------------------------------------------------------- blocks


def is_related_heading(text: str) -> bool:
    """The text is a related-block heading ("Related", "Lesen Sie auch:", "اقرأ أيضاً")."""
    label = normalized_label(text)
    return bool(label) and len(label) <= 60 and bool(_RELATED_HEADING.match(label))


@lru_cache(maxsize=4096)
def _label_kind(text: str) -> str | None:
    """ "related" or "most_read" when the text reads like that block's heading. Cached: headings, menu entries
    and card labels repeat on every page of a site."""
    label = normalized_label(text)
    if not label or len(label) > 60:
        return None
    if _RELATED_HEADING.match(label):
        return "related"
    if _MOST_READ_HEADING.match(label):
        return "most_read"
    return None


_RELATED, _MOST_READ, _WIDGET = 1, 2, 4


@lru_cache(maxsize=8192)
def _attribute_kinds(value: str | None) -> int:
    """What a class or id value says the element is: _RELATED, _MOST_READ and _WIDGET bits.

    The class patterns match whitespace only at their edges, so searching "<class> <id>" (`attributes_text`)
    finds what searching each alone finds: the class value, repeated many times a page and across a site's
    pages, is searched once. The searches were the walk's main cost."""
    if not value:
        return 0
    attrs = value.lower()
    if not _BLOCK_CLASS_WORD.search(attrs):
        return 0
    return (
        (_RELATED if _RELATED_CLASS.search(attrs) else 0)
        | (_MOST_READ if _MOST_READ_CLASS.search(attrs) else 0)
        | (_WIDGET if _WIDGET_CLASS.search(attrs) else 0)
    )


def _short_visible_text(element: HtmlElement, own_text: str | None) -> str | None:
    """The visible text when it is at most 5 characters, else None. Stops reading at the 6th visible character:
    many of the elements asked about wrap a large subtree."""
    if len(element) == 0:
        text = " ".join(own_text.split()) if own_text else ""
        return text if len(text) <= 5 else None
    # Most elements asked about hold a link or a line whose own text already says no.
    first = element[0]
    first_text = first.text
    if (
        first_text is not None
        and len(first_text) > 5
        and isinstance(first.tag, str)  # a comment's text is not page text
        and sum(map(len, first_text.split())) > 5
    ):
        return None
    pieces = []
    visible = 0  # characters other than whitespace so far: never more than the visible text's length
    for piece in element.itertext():
        pieces.append(piece)
        if not piece.isspace():
            visible += sum(map(len, piece.split()))
            if visible > 5:
                return None
    text = " ".join("".join(pieces).split())
    return text if len(text) <= 5 else None


def _is_label_element(element: HtmlElement, text: str) -> bool:
    """A short non-link element that reads like a block heading ("Related", "اقرأ أيضاً"); `text` is its own,
    and its tag is none of _NOT_LABEL_TAGS."""
    if not text.strip():
        # <div class="title"><span>Related</span></div>: the span is the label
        return False
    return len(text) <= 80 and all(
        child.tag not in ("p", "div", "ul", "ol", "li", "article") for child in element if is_element(child)
    )


def _article_links(container: HtmlElement, page: _Page) -> set[str]:
    """Distinct URLs of links in `container` that look like links to articles (a title or an image)."""
    urls: set[str] = set()
    for anchor in container.iter("a"):
        href = page.link_target(anchor)
        if href:
            urls.add(href)
    return urls


def article_link_url(anchor: HtmlElement, page_url: str) -> str | None:
    """The absolute target of an anchor that reads like a link to an article, else None."""
    target = _link_target(page_url, anchor.get("href"))
    if target is None:
        return None
    text = visible_text(anchor)
    has_image = next(anchor.iter("img", "picture"), None) is not None
    in_heading = anchor.tag in HEADING_TAGS or any(
        p.tag in HEADING_TAGS for p in _limited(ancestors(anchor), 3)
    )
    if len(text) >= 20 or len(text.split()) >= 4 or has_image or (in_heading and len(text) >= 3):
        return target
    return None


class LinkTargets:
    """`article_link_url` of a page's anchors, each read once: the rules ask again for every enclosing block."""

    def __init__(self, page_url: str) -> None:
        self._page_url = page_url
        self._targets: dict[HtmlElement, str | None] = {}

    def __call__(self, anchor: HtmlElement) -> str | None:
        if anchor not in self._targets:
            self._targets[anchor] = article_link_url(anchor, self._page_url)
        return self._targets[anchor]


@lru_cache(maxsize=8192)
def _link_target(page_url: str, href: str | None) -> str | None:
    """The absolute http(s) URL an href points to, unless it is the page itself. Cached: the related-card
    and region rules each ask about the same anchors, and a page repeats its menu and teaser links."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "whatsapp:")):
        return None
    try:
        target = urldefrag(urljoin(page_url, href))[0]
    except ValueError:
        return None
    if not target.startswith(("http://", "https://")) or target.rstrip("/") == urldefrag(page_url)[0].rstrip(
        "/"
    ):
        return None
    return target


def _limited(iterator: object, count: int) -> list[HtmlElement]:
    out = []
    for item in iterator:  # type: ignore[attr-defined]
        out.append(item)
        if len(out) >= count:
            break
    return out


# ---------------------------------------------------------------- the article region


def _inside_article_tag(element: HtmlElement) -> bool:
    return any(parent.tag in ("article", "main") for parent in ancestors(element))


def _article_region(tree: HtmlElement, page: _Page, excluded: set[HtmlElement]) -> HtmlElement:
    """The element holding the article: the densest paragraph container, widened to include the headline."""
    body = page.itemprop_body
    if body is None:
        body = _densest_text_container(page.blocks, excluded)
    if body is None:
        found = tree.find(".//body")
        return found if found is not None else tree
    body = _join_split_body(body, page)
    region = body
    # Widen to the nearest <article> (or article-like container) that holds the headline and lead image.
    headline = next(tree.iter("h1"), None)
    for steps, parent in enumerate(ancestors(body)):
        if parent.tag in ("body", "html") or steps > 5:
            break
        if parent.tag == "article" or (headline is not None and _contains(parent, headline)):
            region = parent
            if headline is None or _contains(parent, headline):
                break
        elif _ARTICLE_CLASS.search(attributes_text(parent)) and steps <= 1:
            region = parent
    return region


def _join_split_body(body: HtmlElement, page: _Page) -> HtmlElement:
    """Some sites print the body in several same-class chunks (ads between them): take their parent."""
    node = body
    for _ in range(4):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        signature = (node.tag, node.get("class"))
        if node.get("class") and any(
            sibling is not node
            and is_element(sibling)
            and (sibling.tag, sibling.get("class")) == signature
            and page.paragraph_text(sibling) >= 150
            for sibling in parent
        ):
            return parent
        node = parent
    return body


def _contains(container: HtmlElement, element: HtmlElement) -> bool:
    return any(parent is container for parent in ancestors(element))


_BLOCK_TAGS = {
    "div",
    "p",
    "section",
    "article",
    "ul",
    "ol",
    "li",
    "table",
    "figure",
    "header",
    "footer",
    "aside",
    "nav",
    "form",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "main",
    "dl",
}
_TEXT_BLOCK_TAGS = {"p", "pre", "blockquote", "div", "td", "section"}


def _text_blocks(tree: HtmlElement) -> Iterator[tuple[HtmlElement, int]]:
    """Paragraph-like elements (a <p>, or a div of inline content only) with their text length."""
    # Plain loops, no generator or helper calls: this runs on every div, p and td of the page.
    for element in tree.iter(*_TEXT_BLOCK_TAGS):
        if element.tag != "p":
            for child in element:
                if child.tag in _BLOCK_TAGS:  # a comment's tag is a function: in no set of names
                    break
            else:
                child = None
            if child is not None:  # a container of blocks, not a block
                continue
        if len(element):
            length = len(" ".join(element.text_content().split()))  # as visible_text
        else:
            text = element.text
            length = len(" ".join(text.split())) if text else 0
        if length >= _PARAGRAPH_MIN_CHARS:
            yield element, length


def _densest_text_container(
    blocks: list[tuple[HtmlElement, int]], excluded: set[HtmlElement]
) -> HtmlElement | None:
    """The parent (or grandparent, at half weight) that gathers the most paragraph text."""
    scores: dict[HtmlElement, float] = {}
    for paragraph, length in blocks:
        if excluded and is_inside(paragraph, excluded):
            continue
        parent = paragraph.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + length
        grand = parent.getparent()
        if grand is not None and grand.tag not in ("body", "html"):
            scores[grand] = scores.get(grand, 0.0) + length * 0.5
    if not scores:
        return None
    return max(scores, key=scores.__getitem__)


# ---------------------------------------------------------------- profile selectors


def _select(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    return select(tree, selector)


def _profile_blocks(tree: HtmlElement, selector: str | None) -> list[list[HtmlElement]]:
    return [[element] for element in _select(tree, selector)]


def _profile_article(tree: HtmlElement, profile: object | None) -> HtmlElement | None:
    found = _select(tree, getattr(profile, "article", None))
    return found[0] if found else None
