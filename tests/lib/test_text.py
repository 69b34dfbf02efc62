"""Text cleaning on strings as Asharq Al-Awsat and other sites print them."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.lib import text
from etl.lib.text import clean_list, clean_optional, clean_text, comparison_key, fold_digits, word_count

SEED_CAPTION = "الزعيم الكوري الشمالي كيم جونغ أون يصافح وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ"


def _apply(expression, values, dtype=pl.String):
    return (
        pl.DataFrame({"v": values}, schema={"v": dtype}).select(expression(pl.col("v"))).to_series().to_list()
    )


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        # bidi marks around and inside an Arabic headline
        (
            "\u200fكيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا\u200e",
            "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا",
        ),
        # embeddings and isolates (U+202A-E, U+2066-9) around a Latin name inside Arabic text
        ("قمة \u202b«بريكس»\u202c في \u2067Kazan\u2069", "قمة «بريكس» في Kazan"),
        # zero-width space, BOM and soft hyphen vanish
        ("\ufeffبيونغ\u200b يانغ\u00ad", "بيونغ يانغ"),
        # tatweel (kashida) used for justification
        ("الشـــرق الأوســط", "الشرق الأوسط"),
        # ... but a tatweel joining a letter to a number or a quotation is how the site spells it
        ("قرض بـ50 مليار دولار", "قرض بـ50 مليار دولار"),
        ("وفقاً لـ«وكالة الصحافة الفرنسية»", "وفقاً لـ«وكالة الصحافة الفرنسية»"),
        # alternating kashidas need both passes
        ("اـبـتـث", "ابتث"),
        # NBSP, thin space, tab and a line break inside one line collapse to single spaces
        (
            "رئيس\u00a0الوزراء  الياباني\tشيغيرو\u2009إيشيبا\n(أ.ف.ب)",
            "رئيس الوزراء الياباني شيغيرو إيشيبا (أ.ف.ب)",
        ),
        # decomposed e + combining acute becomes the composed é (NFC)
        ("Andre\u0301 Citroe\u0308n", "André Citroën"),
        # Arabic-Indic digits stay as printed in display text
        ("قتل ٥ أشخاص", "قتل ٥ أشخاص"),
        # ZWNJ is Persian spelling, not noise
        ("می\u200cخواهم", "می\u200cخواهم"),
        # C0 controls other than the newline go
        ("a\x00b\x07c", "abc"),
    ],
)
def test_clean_text_single_line(printed, expected):
    assert _apply(clean_text, [printed]) == [expected]


def test_clean_text_multiline_keeps_one_break_per_paragraph():
    body = (
        "  أكد الزعيم الكوري الشمالي كيم جونغ أون،   خلال استقباله  \r\n\r\n\n"
        "\u200f وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ. \u2029"
        "وقال كيم\u00a0إن هدف حزب «العمال»\n \n"
    )
    assert _apply(lambda e: clean_text(e, multiline=True), [body]) == [
        "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله\n"
        "وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ.\n"
        "وقال كيم إن هدف حزب «العمال»"
    ]


def test_clean_optional_turns_blank_into_null():
    assert _apply(clean_optional, ["  \u200f\u0640 ", None, "TT"]) == [None, None, "TT"]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("٢٠٢٤-١٠-٢٨", "2024-10-28"),
        ("۱۴۰۳/۰۸/۰۷", "1403/08/07"),
        ("بـ50 مليار", "بـ50 مليار"),
        ("2024", "2024"),
    ],
)
def test_fold_digits_maps_arabic_indic_and_persian_digits(printed, expected):
    assert _apply(fold_digits, [printed]) == [expected]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (SEED_CAPTION, 15),
        ("قرض بـ50 مليار دولار لأوكرانيا", 5),
        ("«مجموعة السبع» توافق - على قرض", 5),  # a lone dash is no word
        ("", 0),
        (None, 0),
        ("Die Aufregung bleibt groß.", 4),
    ],
)
def test_word_count(text, words):
    assert _apply(word_count, [text]) == [words]


def test_comparison_key_unifies_spellings_of_one_credit():
    keys = _apply(comparison_key, ["أ.ف.ب", "ا.ف.ب", "أ ف ب", "(أ.ف.ب)", "أـ.ف.ب"])
    assert len(set(keys)) == 1
    assert _apply(comparison_key, ["A.F.P.", "afp"])[0] == _apply(comparison_key, ["afp"])[0] == "afp"
    assert _apply(comparison_key, ["رويترز"]) != _apply(comparison_key, ["د.ب.أ"])


def test_clean_list_cleans_dedupes_and_fills_null():
    values = [["  «الشرق الأوسط» ", "«الشرق الأوسط»", "\u200f"], None]
    assert _apply(clean_list, values, pl.List(pl.String)) == [["«الشرق الأوسط»"], []]


_GAPS = st.text(
    alphabet=[" ", "\t", "\u00a0", "\u2009", "\u3000", "a", "ب", "٣", "7", ".", "-", "«", "\n", "\u064b"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_GAPS, min_size=1, max_size=20))
def test_gap_patterns_match_only_what_changes_but_clean_as_the_plain_ones(texts):
    # the plain patterns replace every gap, one plain space by itself too; ours skip those, to the same result
    frame = pl.DataFrame({"t": texts})
    for ours, plain in ((text._SPACES, r"[\t\p{Zs}]+"), (text._NON_WORD, r"[^\p{L}\p{N}]+")):
        assert frame.select(pl.col("t").str.replace_all(ours, " ")).equals(
            frame.select(pl.col("t").str.replace_all(plain, " "))
        )
