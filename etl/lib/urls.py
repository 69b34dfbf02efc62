"""URL canonicalization, so that one article has one address however a source spells it.

Written out rather than delegated to courlan: courlan drops blank query parameters (`?rss`) and treats any
parameter containing `uid`, `ref` or `source` as a tracker, both of which can name a different page.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

# Query parameters that only track the reader; they never select a different article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "matomo_", "hsa_", "_hs", "wt_", "at_", "mtm_", "itm_")
_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid", "ttclid", "mkt_tok",
     "ocid", "cmpid", "ref_src", "ito", "xtor", "_ga", "_gl", "smid", "ns_mchannel", "ns_source", "ns_campaign",
     "ns_linkname", "ns_fee", "__twitter_impression", "s_cid", "spm"}
)  # fmt: skip
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_INVISIBLE = re.compile(r"[\t\n\r\x00-\x1f\x7f]")  # browsers drop these anywhere in a URL
_PATH_SAFE = "/:@!$&'()*+,;=%"
_QUERY_SAFE = "/?:@!$'()*+,;=%"  # '&' and '=' are handled pair by pair


class InvalidUrlError(ValueError):
    """The text is not an absolute http(s) URL."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def _normalize_escapes(part: str, safe: str) -> str:
    """One spelling per character: unreserved characters unescaped, other escapes in upper case, the rest
    (spaces, non-ASCII) percent-encoded as UTF-8."""
    part = _STRAY_PERCENT.sub("%25", part)

    def unescape_unreserved(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return quote(_ESCAPE.sub(unescape_unreserved, part), safe=safe)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: `/a/./b/../c` -> `/a/c`."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment == ".":
            if index == len(segments) - 1:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if index == len(segments) - 1:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _canonical_query(query: str) -> str:
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = piece.split("=", 1)[0].lstrip("?")  # `??utm_source=x` is still a tracker
        if _is_tracking(_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), name).replace("+", " ")):
            continue
        pairs.append("=".join(_normalize_escapes(half, _QUERY_SAFE) for half in piece.split("=", 1)))
    # Parameter order never selects a different page, so one order is chosen; sorted() is stable for repeats.
    return "&".join(sorted(pairs, key=lambda pair: pair.split("=", 1)[0]))


def _canonical_host(hostname: str) -> str:
    if ":" in hostname:
        return f"[{hostname}]"  # IPv6 literal
    try:
        # IDNA keeps one ASCII spelling of an internationalized name, the one DNS and HTTP use
        return hostname.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:
        raise InvalidUrlError(f"not a valid host name: {hostname[:200]!r}") from None


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Return the canonical form of `url` (resolved against `base` when relative).

    Lowercases scheme and host (IDNA for non-ASCII hosts), drops credentials, default ports, fragments and
    tracking parameters, resolves `.` and `..` segments, spells percent-escapes one way, and sorts the query
    so that parameter order does not make two addresses of one page.
    """
    url = _INVISIBLE.sub("", (url or "").strip())
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidUrlError(f"not a valid URL ({error}): {url[:200]!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidUrlError(f"not an absolute http(s) URL: {url[:200]!r}")
    netloc = _canonical_host(parts.hostname)
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc = f"{netloc}:{port}"
    path = _normalize_escapes(remove_dot_segments(parts.path or "/"), _PATH_SAFE)
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def host_of(url: str) -> str:
    """The host (with a non-default port) that politeness limits are counted per."""
    return urlsplit(url).netloc.lower()


def origin_of(url: str) -> str:
    """`https://Example.com:8443/a?b` -> `https://example.com:8443`: where robots.txt rules apply."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
