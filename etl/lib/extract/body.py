"""Body text and trafilatura's metadata from the already-parsed tree.

`bare_extraction` accepts an lxml tree and deep-copies it before pruning (trafilatura 2.3.1 core.py:
`if tree is filecontent: tree = copy(tree)`), so the caller's tree stays intact for the DOM rules and the
page is parsed once. Images and links stay off: they put markup into the text and cut precision.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement
from trafilatura import bare_extraction, extract_metadata

from etl.lib.extract.cascade import install_readability_gate
from etl.lib.extract.regions import is_related_heading
from etl.lib.records import ExtractedImage

# Process-wide, and exact: the readability comparison is skipped only where it cannot change the body.
install_readability_gate()


def trafilatura_metadata(tree: HtmlElement, url: str) -> Any:
    """trafilatura's metadata Document (title, author, date, site name, categories) read from the tree.

    The same call, with the same date settings, that `bare_extraction(with_metadata=True)` makes before it
    extracts the body; made apart, it reads the whole page while the body is extracted from less of it, and it
    stands even when the page has no body text.
    """
    return extract_metadata(tree, url or None)


def extract_body(tree: HtmlElement, url: str) -> str:
    """trafilatura's body text, paragraphs joined by newlines."""
    document = bare_extraction(
        tree,
        url=url or None,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_tables=True,
    )
    text = getattr(document, "text", None) or ""  # None when trafilatura finds no text
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def without_headline(body_text: str, title: str | None) -> str:
    """trafilatura keeps an <h1> inside the article container; the headline is the title, not the body."""
    first, _, rest = body_text.partition("\n")
    if title and first.strip() == title.strip():
        return rest
    return body_text


# A short line that only labels or credits a picture ("Credit: Getty", "Titelbild: dpa", "Beitragsbild").
_PICTURE_LABEL_LINE = re.compile(
    r"^[(\[]?\s*(?:(?:foto|fotos|photo|photos|photograph|credit|credits|bild|titelbild|beitragsbild|bildquelle|"
    r"image|images|copyright)\b|©|quelle\s*:)",
    re.IGNORECASE,
)
# "Read more: <headline>", "Lea también: …", "Czytaj też: …": a link to another article printed inside the
# text. Besides the related-block headings, the bare imperatives some sites print ("Lea:", "Mire:").
_LINK_LABEL = re.compile(
    r"^(?:lea|vea|mire|mira|lea (?:tambi[ée]n|m[aá]s)|vea tambi[ée]n|mira tambi[ée]n|l[ea] puede interesar|te puede interesar|"
    r"czytaj (?:też|także|również|więcej)|zobacz (?:też|także|również)|auch lesen|siehe auch|"
    r"lees ook|l[äæ]s ogs[åa]|les ogs[åa]|leia (?:tamb[ée]m|mais)|veja (?:tamb[ée]m|mais))$",
    re.IGNORECASE,
)
_HEADLINE_WORDS = 25
_LABEL_CHARACTERS = 80
# A heading left alone in the text that announces more articles rather than the article's next part.
_MORE_ARTICLES_LINE = re.compile(
    r"^(?:weitere (?:artikel|beitr[äa]ge|aktuelle themen|themen)(?: .{1,50})?|zum weiterlesen|"
    r"top-themen(?: .{1,40})?|m[aá]s sobre .{1,40}|more from .{1,40}|plus d'articles(?: .{1,40})?)$",
    re.IGNORECASE,
)


def without_picture_lines(body_text: str, images: list[ExtractedImage]) -> str:
    """Drop body lines that are an image's caption or credit, or a picture label: captions are not body."""
    # Compared without whitespace: a caption and its credit often print with no space between them.
    printed: set[str] = set()
    for image in images:
        for text in (image.caption, image.credit_raw, f"{image.caption or ''}{image.credit_raw or ''}"):
            if text and text.strip():
                printed.add("".join(text.split()))
    kept = []
    for line in body_text.split("\n"):
        normalized = " ".join(line.split())
        if "".join(normalized.split()) in printed or (
            _PICTURE_LABEL_LINE.match(normalized) and len(normalized.split()) <= 12
        ):
            continue
        kept.append(line)
    return "\n".join(kept)


def without_link_lines(body_text: str) -> str:
    """Drop lines that point to other articles: "Read more: <headline>" and a related block's heading left
    alone in the text ("Lesen Sie auch", "Zum Weiterlesen:"). A headline has no closing full stop, which
    keeps a sentence that merely starts with "See also:" in the body."""
    kept = []
    for line in body_text.split("\n"):
        # Headings and labels are short: most lines are paragraphs and skip the label matching.
        if len(line) <= _LABEL_CHARACTERS and (
            is_related_heading(line) or _MORE_ARTICLES_LINE.match(line.strip().rstrip(":").strip())
        ):
            continue
        label, colon, rest = line.partition(":")
        rest = rest.strip()
        if (
            colon
            and rest
            and len(label) <= _LABEL_CHARACTERS
            and not rest.endswith(".")
            and len(rest.split()) <= _HEADLINE_WORDS
            and (_LINK_LABEL.match(label.strip()) or is_related_heading(label))
        ):
            continue
        kept.append(line)
    return "\n".join(kept)
