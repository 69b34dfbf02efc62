"""Text-cleaning Polars expressions: the same text printed two ways becomes one string.

Every function takes and returns a `pl.Expr`, so a whole column is cleaned in one vectorized pass.
"""

from __future__ import annotations

import polars as pl

# Arabic-Indic (U+0660..9) and Extended Arabic-Indic / Persian (U+06F0..9) digits.
ARABIC_INDIC_DIGITS = [chr(0x0660 + i) for i in range(10)]
PERSIAN_DIGITS = [chr(0x06F0 + i) for i in range(10)]
_ASCII_DIGITS = [str(i) for i in range(10)]

# Invisible characters that change no reading but break equality: bidi marks and embeddings (U+200E/F,
# U+202A-E), bidi isolates (U+2066-9), zero-width space (U+200B), word joiner (U+2060), invisible operators
# (U+2061-4), BOM (U+FEFF), soft hyphen (U+00AD), and every C0/C1 control except the newline that separates
# paragraphs. ZWNJ and ZWJ (U+200C/D) are kept: Persian and Urdu spelling and emoji sequences depend on them.
_INVISIBLE = r"[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\p{Cc}--[\n]]"
# Horizontal spaces of every width (NBSP, thin, narrow, ideographic ...) and tabs read as one space. Only runs
# that are not already one plain space match: most gaps between words are, and replacing each one with itself
# was most of the cleaning's time.
_SPACES = r"[\t\p{Zs}]{2,}|[\t\p{Zs}--\x20]"
# What separates two words of letters and digits, matched the same way (a lone plain space stays as it is).
_NON_WORD = r"[^\p{L}\p{N}]{2,}|[^\p{L}\p{N}\x20]"
TATWEEL = "\u0640"
# A tatweel between two Arabic letters only stretches the word (kashida) and goes. One that joins a letter to
# a digit, a Latin word or a quotation mark (بـ50, لـ«وكالة») is how the site spells it, and stays.
_KASHIDA = r"([\p{Arabic}&&[^\u0640]])\u0640+([\p{Arabic}&&[^\u0640]])"
# a tatweel attached to no letter at all is a drawn line, not text
_LONE_TATWEEL = r"(^|[^\p{Arabic}])\u0640+"


def fold_digits(expr: pl.Expr) -> pl.Expr:
    """Arabic-Indic and Persian digits to ASCII, for keys and for parsing numbers and dates."""
    return expr.str.replace_many(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, _ASCII_DIGITS + _ASCII_DIGITS)


def clean_text(expr: pl.Expr, *, multiline: bool = False) -> pl.Expr:
    """NFC, no invisible controls or kashida, whitespace collapsed; paragraphs kept one per line if `multiline`.

    Digits stay as printed: display text keeps what the site wrote.
    """
    # A tab separates words: it becomes a space before the sweep of control characters could join them.
    cleaned = (
        expr.str.normalize("NFC")
        .str.replace_all(r"\r\n?|[\u2028\u2029\x0B\x0C\x85]", "\n")
        .str.replace_all("\t", " ", literal=True)
        .str.replace_all(_INVISIBLE, "")
        # twice, because a match consumes the letter after it: اـبـت needs a second pass for بـت
        .str.replace_all(_KASHIDA, "$1$2")
        .str.replace_all(_KASHIDA, "$1$2")
        .str.replace_all(_LONE_TATWEEL, "$1")
    )
    if multiline:
        cleaned = (
            cleaned.str.replace_all(_SPACES, " ")
            .str.replace_all(r" ?\n[\n ]*", "\n")  # blank lines and edge spaces go; one break per paragraph
            .str.strip_chars(" \n")
        )
    else:
        cleaned = cleaned.str.replace_all(r"[\s\p{Zs}]+", " ").str.strip_chars(" ")
    return cleaned


def null_if_empty(expr: pl.Expr) -> pl.Expr:
    """An empty string says nothing more than a null, and a null is what fill-rate checks count."""
    return expr.replace("", None)  # one pass: a when/then would evaluate `expr` twice


def clean_optional(expr: pl.Expr, *, multiline: bool = False) -> pl.Expr:
    """`clean_text`, then empty results become null."""
    return null_if_empty(clean_text(expr, multiline=multiline))


def clean_list(expr: pl.Expr) -> pl.Expr:
    """Clean every string of a list column and drop the empty ones; a null list becomes an empty list."""
    return (
        expr.list.eval(clean_text(pl.element()))
        .list.eval(pl.element().filter(pl.element().str.len_chars() > 0))
        .list.unique(maintain_order=True)
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )


def word_count(expr: pl.Expr) -> pl.Expr:
    """Whitespace-separated tokens holding at least one letter or digit (a lone dash or «» is no word)."""
    return expr.str.count_matches(r"\S*[\p{L}\p{N}]\S*").fill_null(0).cast(pl.Int32)


def comparison_words(expr: pl.Expr, *, cleaned: bool = False) -> pl.Expr:
    """Lower-case words of letters and digits, single-spaced, Arabic variants unified: for matching, not display.

    Harakat, tatweel and punctuation go; alef forms (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه; digits are
    ASCII. Pass `cleaned=True` for text that went through `clean_text` already, to skip doing it twice.
    """
    return (
        fold_digits(expr if cleaned else clean_text(expr))
        .str.to_lowercase()
        .str.replace_all(r"[\p{Mn}\u0640]", "")
        .str.replace_many(["أ", "إ", "آ", "ٱ", "ى", "ة"], ["ا", "ا", "ا", "ا", "ي", "ه"])
        .str.replace_all(_NON_WORD, " ")
        .str.strip_chars(" ")
    )


def comparison_key(expr: pl.Expr, *, cleaned: bool = False) -> pl.Expr:
    """`comparison_words` without the spaces: `أ.ف.ب`, `ا.ف.ب` and `أ ف ب` share one key."""
    return comparison_words(expr, cleaned=cleaned).str.replace_all(" ", "", literal=True)
