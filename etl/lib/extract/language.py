"""An article's language: the one rule, kept here because extraction is the stage that can see where it is said.

The page declares its language in several places (JSON-LD `inLanguage`, `og:locale`, `<html lang>`), each with
its own precedence, and extraction records which one it took in `field_sources`; normalization sees only one
string per row. So extraction decides the language once, in this order: the page's declaration; else the
language detected from a body long enough to be sure of; else the site's declared language (the sites file's
`language`); else a guess from the title and what body there is. Every code leaves here as the warehouse keeps
it: the lower-case ISO 639-1 code (`ar-SA`, `AR`, `ar_EG`, `ara` -> `ar`), and a code that declares nothing
(`und`, `mul`, `zxx`, `mis`) counts as no declaration, so the next source decides.
"""

from __future__ import annotations

import re

import py3langid

# Below this many characters of body a detected language is a guess: the site's declared language comes first.
SURE_DETECTION_CHARS = 200
# Enough text for py3langid to be right; more only costs time.
SURE_SAMPLE_CHARS = 2000
GUESS_SAMPLE_CHARS = 500
_PRIMARY_SUBTAG = re.compile(r"^([a-z]{2,3})(?:[-_]|$)")
# ISO 639-2 codes some pages declare, to the ISO 639-1 code the warehouse uses.
_THREE_LETTER_LANGUAGES = {"ara": "ar", "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr",
                           "spa": "es", "ita": "it", "nld": "nl", "dut": "nl", "por": "pt", "rus": "ru",
                           "tur": "tr", "fas": "fa", "per": "fa", "urd": "ur", "heb": "he", "zho": "zh",
                           "chi": "zh", "jpn": "ja", "kor": "ko", "pol": "pl", "swe": "sv"}  # fmt: skip
# "undetermined", "multiple", "no content" and "missing" declare nothing
_NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


def language_code(declared: str | None) -> str | None:
    """`ar-SA`, `AR`, `ar_EG`, `ara` -> `ar`: the lower-case primary subtag, two letters where one exists; None
    for a value that is no language code or declares none (`Deutsch`, `und`)."""
    match = _PRIMARY_SUBTAG.match((declared or "").strip().lower())
    if match is None:
        return None
    code = _THREE_LETTER_LANGUAGES.get(match.group(1), match.group(1))
    return None if code in _NO_LANGUAGE else code


def undeclared_language(
    title: str | None, body_text: str, site_language: str | None
) -> tuple[str, str] | None:
    """The language of a page that declares none, and where it came from: `detected` from a long enough
    body; else the site's (`hint`); else `detected` from the title and the short body; else None."""
    if len(body_text) >= SURE_DETECTION_CHARS:
        return _detect(body_text[:SURE_SAMPLE_CHARS]), "detected"
    hint = language_code(site_language)
    if hint:
        return hint, "hint"
    if body_text:
        return _detect("\n".join(filter(None, (title, body_text)))[:GUESS_SAMPLE_CHARS]), "detected"
    return None


def _detect(text: str) -> str:
    detected, _ = py3langid.classify(text)
    return str(detected)
