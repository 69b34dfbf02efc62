"""Body text and trafilatura's metadata from the already-parsed tree.

`bare_extraction` accepts an lxml tree and deep-copies it before pruning (trafilatura 2.3.1 core.py:
`if tree is filecontent: tree = copy(tree)`), so the caller's tree stays intact for the DOM rules and the
page is parsed once. Images and links stay off: they put markup into the text and cut precision.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement
from trafilatura import bare_extraction


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
