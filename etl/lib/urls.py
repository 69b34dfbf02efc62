"""URL canonicalization, so that one article has one address however a source spells it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

# Query parameters that only track the reader; they never select a different article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "matomo_", "hsa_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mkt_tok",
        "ocid",
        "cmpid",
        "ref_src",
        "ito",
        "at_medium",
        "at_campaign",
        "xtor",
        "_ga",
        "smid",
        "ns_mchannel",
        "ns_source",
    }
)


class InvalidUrlError(ValueError):
    """The text is not an absolute http(s) URL."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Return the canonical form of `url` (resolved against `base` when relative).

    Lowercases scheme and host, drops default ports, fragments and tracking parameters, and sorts the rest of
    the query so that parameter order does not make two addresses of one page.
    """
    url = (url or "").strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidUrlError(f"not an absolute http(s) URL: {url[:200]!r}")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    )
    url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
    try:
        # courlan lowercases scheme and host, strips default ports and normalizes percent-encoding
        return normalize_url(url, strict=False)
    except ValueError as error:
        raise InvalidUrlError(f"cannot normalize {url[:200]!r}: {error}") from None


def host_of(url: str) -> str:
    """The host (with a non-default port) that politeness limits are counted per."""
    return urlsplit(url).netloc.lower()
