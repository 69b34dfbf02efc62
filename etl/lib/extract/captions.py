"""Split a printed image caption into the caption proper and its photo credit."""

from __future__ import annotations

import re

# "Photo: Reuters", "Foto: dpa/Name", "Bild: Keystone", "صورة: ...", "Credit: ..." — a label then the credit.
_LABEL = (
    r"(?:photos?|photograph(?:y|s)?|pictures?|images?|picture\s+credit|photo\s+credit|image\s+credit|"
    r"archivfoto|archivbild|titelbild|"
    r"credits?|source|fotos?|bild(?:er)?|bildquelle|quelle|crédit(?:\s+photo)?|cr[ée]dits?\s+photo|"
    r"фото|источник|джерело|коллаж|колаж|zdjęcie|isithombe|صورة|الصورة|تصوير|المصدر)"
)
_LABELLED_CREDIT = re.compile(
    rf"(?:^|(?<=[\s.|/–—-]))(?:\(|\[)?\s*{_LABEL}\s*[:：]\s*(?P<credit>[^\n]+?)\s*[\])]?\s*$", re.IGNORECASE
)
# "Photo by Jane Doe/AFP via Getty Images", at the start of the text or of a sentence.
_BY_CREDIT = re.compile(
    r"(?:^|(?<=[.!?|–—]\s))(?:photo|photograph|picture|image|foto|bild)\s+(?:by|von|par|de)\s+(?P<credit>[^\n]+?)\s*$",
    re.IGNORECASE,
)
_COPYRIGHT_CREDIT = re.compile(r"(?:^|\s)(?:©|\(c\)|copyright)\s*(?P<credit>[^\n©]+?)\s*$", re.IGNORECASE)
# A trailing "(...)" or "[...]": "(أ.ف.ب)", "(AFP)", "(أرشيفية - رويترز)".
_TRAILING_BRACKETS = re.compile(r"\s*[(\[（]\s*(?P<credit>[^()\[\]（）]{1,80}?)\s*[)\]）]\s*[.。]?\s*$")
# Japanese captions end in "＝ＡＰ" (= AP) or "（名前撮影）" ("photographed by").
_EQUALS_CREDIT = re.compile(r"\s*＝\s*(?P<credit>[^＝\s][^＝]{0,20}?)\s*$")
_PHOTOGRAPHED_BY = re.compile(r"\s*撮影$")
# A last unpunctuated fragment after a full sentence: "… 연설하고 있다. 연합뉴스", "… in Berlin. dpa".
_SENTENCE_THEN_CREDIT = re.compile(r"(?<=[.!?。])\s+(?P<credit>[^\s.!?。:：()][^.!?。:：()]{0,28}?)\s*$")
_NAME_WITH_NUMBER = re.compile(r"[^\W\d_]{2,}\d{1,2}")
_REPORTER_SUFFIX = re.compile(r"\s*(?:기자|記者)$")  # Korean/Japanese "reporter" after a photographer's name
# Trailing parentheses that describe the picture rather than credit it.
_NOT_CREDITS = re.compile(
    r"^(?:l|r|c|left|right|centre|center|top|bottom|front|back|above|below|middle|links|rechts|mitte|"
    r"von links|from left|v\.\s*l\.|à gauche|à droite|au centre|يمين|يسار|وسط|في الوسط|"
    r"l to r|l-r|left to right|from left to right|v\.\s*l\.\s*n\.\s*r\.|file|file photo|archive|archive photo|archiv|archives|archivbild|archivfoto|illustration|"
    r"symbolbild|symbolfoto|montage|bildmontage|stock image|stock photo|stock picture|file image|file picture|"
    r"[\d\s./:-]+)$",
    re.IGNORECASE,
)
_TRAILING_SEPARATORS = " \t\u00a0|/–—-:;,"


def split_credit(text: str, *, labelled_only: bool = False) -> tuple[str | None, str | None]:
    """Return (caption without the credit, credit as printed without brackets or "Photo:"); None when absent.

    `labelled_only` splits only a credit that says it is one ("Foto: …", "Photo by …", "© …"), not a trailing
    parenthesis or a name after the last sentence: for a caption whose credit is printed apart."""
    if not text:
        return None, None
    text = " ".join(text.split())
    if not text:
        return None, None
    for pattern in (_LABELLED_CREDIT, _BY_CREDIT, _COPYRIGHT_CREDIT):
        match = pattern.search(text)
        if match and match.group("credit").strip(_TRAILING_SEPARATORS):
            return _clean_caption(text[: match.start()]), match.group("credit").strip(_TRAILING_SEPARATORS)
    if labelled_only:
        return _clean_caption(text), None
    match = _TRAILING_BRACKETS.search(text)
    if match:
        credit = _PHOTOGRAPHED_BY.sub("", match.group("credit").strip())
        # A parenthesis with digits is a date or a place and date ("(Kundus, 6.12.2010)"), not a credit.
        if (
            credit
            and not _NOT_CREDITS.match(credit)
            and len(credit.split()) <= 8
            and not re.search(r"\d", credit)
        ):
            return _clean_caption(text[: match.start()]), credit
    match = _EQUALS_CREDIT.search(text)
    # "＝同国で2019年5月" (= there, May 2019) gives a place and date, not a credit.
    if match and not re.search(r"\d", match.group("credit")):
        return _clean_caption(text[: match.start()]), match.group("credit")
    match = _SENTENCE_THEN_CREDIT.search(text)
    if match and _credit_after_sentence(text[: match.start()], match.group("credit")):
        return _clean_caption(text[: match.start()]), _REPORTER_SUFFIX.sub("", match.group("credit"))
    return _clean_caption(text), None


def _credit_after_sentence(sentence: str, fragment: str) -> bool:
    """A fragment after a whole sentence is a credit when it is short, names someone (no digits, not a
    lowercase continuation, not a position such as "Left to right") and the sentence is not "Dr."."""
    words = sentence.split()
    last = words[-1].rstrip(".!?。") if words else ""
    return (
        len(words) >= 4
        and (len(last) >= 3 or not last.isascii())
        and len(fragment.split()) <= 3
        # No digits ("in 2019"), save an agency name that ends in one ("News1", "뉴스1").
        and (not re.search(r"\d", fragment) or bool(_NAME_WITH_NUMBER.fullmatch(fragment)))
        and not fragment[0].islower()
        and not _NOT_CREDITS.match(fragment)
    )


def _clean_caption(text: str) -> str | None:
    text = text.strip(" \t\u00a0|/–—-:;,")
    return text or None
