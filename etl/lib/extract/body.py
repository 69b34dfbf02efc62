"""Body text and trafilatura's metadata from the already-parsed tree.

`bare_extraction` accepts an lxml tree and deep-copies it before pruning (trafilatura 2.3.1 core.py:
`if tree is filecontent: tree = copy(tree)`), so the caller's tree stays intact for the DOM rules and the
page is parsed once. Images and links stay off: they put markup into the text and cut precision.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement
from trafilatura import bare_extraction

from etl.lib.records import ExtractedImage


def extract_body(tree: HtmlElement, url: str, *, with_metadata: bool = True) -> tuple[str, Any]:
    """(body text with paragraphs joined by newlines, trafilatura's Document or None)."""
    document = bare_extraction(
        tree,
        url=url or None,
        with_metadata=with_metadata,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_tables=True,
    )
    if document is None:
        return "", None
    text = getattr(document, "text", None) or ""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()), document


def without_headline(body_text: str, title: str | None) -> str:
    """trafilatura keeps an <h1> inside the article container; the headline is the title, not the body."""
    first, _, rest = body_text.partition("\n")
    if title and first.strip() == title.strip():
        return rest
    return body_text


# A short line that only labels or credits a picture ("Credit: Getty", "Titelbild: dpa", "Beitragsbild").
_PICTURE_LABEL_LINE = re.compile(
    r"^(?:foto|fotos|photo|photos|photograph|credit|credits|bild|titelbild|beitragsbild|bildquelle|image|images|"
    r"copyright|©)\b",
    re.IGNORECASE,
)


def without_picture_lines(body_text: str, images: list[ExtractedImage]) -> str:
    """Drop body lines that are an image's caption or credit, or a picture label: captions are not body."""
    printed: set[str] = set()
    for image in images:
        for text in (image.caption, image.credit_raw, f"{image.caption or ''} {image.credit_raw or ''}"):
            if text and text.strip():
                printed.add(" ".join(text.split()))
    kept = []
    for line in body_text.split("\n"):
        normalized = " ".join(line.split())
        if normalized in printed or (_PICTURE_LABEL_LINE.match(normalized) and len(normalized.split()) <= 12):
            continue
        kept.append(line)
    return "\n".join(kept)
