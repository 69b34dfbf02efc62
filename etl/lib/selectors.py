"""Site-profile selectors: CSS (through cssselect) or XPath, compiled to one XPath."""

from __future__ import annotations

from cssselect import HTMLTranslator, SelectorError
from lxml import etree


def selector_to_xpath(selector: str) -> str:
    """XPath for a profile selector: XPath as given (starting with / ./ or (), else CSS through cssselect.

    Raises ValueError with a one-line reason when the selector is neither valid CSS nor valid XPath.
    """
    if selector.startswith(("/", "(", "./")):
        xpath = selector if not selector.startswith("/") else "." + selector
        try:
            etree.XPath(xpath)
        except etree.XPathSyntaxError as error:
            raise ValueError(f"invalid XPath {selector!r}: {error}") from None
        return xpath
    try:
        return _CSS.css_to_xpath(selector, prefix="descendant-or-self::")
    except SelectorError as error:
        raise ValueError(f"invalid CSS selector {selector!r}: {error}") from None


_CSS = HTMLTranslator()
