"""Split a printed image caption into the caption proper and its photo credit.

The one place the split is made: whether a text is a credit depends on where the page prints it (an element
of its own, after the caption, in structured data), which only extraction sees; normalization keeps the split.
"""

from __future__ import annotations

import re

from etl.lib.extract.credits import has_credit_cue, names_known_credit

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
    r"(?:^|(?<=[.!?|–—]\s))(?:photo|photograph|picture|image|foto|bild)s?\s+(?:by|von|par|de)\s+(?P<credit>[^\n]+?)\s*$",
    re.IGNORECASE,
)
_COPYRIGHT_CREDIT = re.compile(r"(?:^|\s)(?:©|\(c\)|copyright)\s*(?P<credit>[^\n©]+?)\s*$", re.IGNORECASE)
# A trailing "(...)" or "[...]": "(أ.ف.ب)", "(AFP)", "(أرشيفية - رويترز)".
_TRAILING_BRACKETS = re.compile(
    r"\s*[(\[（]\s*(?P<credit>[^()\[\]（）]{1,80}?)\s*[)\]）]\s*(?P<stop>[.。])?\s*$"
)
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
            # a long parenthesis is a credit only when it says so ("(Photos by A, left, and B/AP)")
            and (len(credit.split()) <= 8 or _BY_CREDIT.match(credit))
            and not re.search(r"\d", credit)
            and (match.group("stop") is None or _says_credit(credit))
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


def _says_credit(text: str) -> bool:
    """A parenthesis the sentence's full stop follows is part of the sentence ("… with her predecessor (Karl
    Meier)."), unless it names an agency or says it is a credit ("(AP Photo/Jane Doe).", "(AFP).")."""
    return has_credit_cue(text) or names_known_credit(text)


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


# ---------------------------------------------------------------- what is never a caption or a credit

# Words a date line is made of besides its numbers: "Stand: 28.04.2023 17:23 Uhr", "Updated April 28, 2023
# 5:23 PM", "Publié le 28 avril 2023 à 17h23", "آخر تحديث: 28 أبريل 2023".
_STAMP_WORDS = frozenset(
    word
    for line in (
        "stand aktualisiert aktualisierung veröffentlicht erstellt zuletzt geändert am um uhr "
        "updated update published posted modified last first on at pm am h hrs "
        "mez mesz cet cest utc gmt bst est edt pst pdt et pt "
        "publié mis à jour le actualizado publicado el las a de aggiornato pubblicato alle ore il "
        "januar februar märz april mai juni juli august september oktober november dezember jan feb mär mrz apr "
        "jun jul aug sep sept okt nov dez "
        "january february march may june july october december mar oct dec "
        "janvier février mars avril juin juillet août septembre octobre novembre décembre "
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre "
        "montag dienstag mittwoch donnerstag freitag samstag sonntag "
        "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
        "آخر تحديث تاريخ النشر نشر في الساعة يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس اغسطس "
        "سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر",
    )
    for word in line.split()
)
_DATE_OR_TIME = re.compile(r"\d{1,4}\s*[./:-]\s*\d{1,2}|\b\d{4}\b|\d{1,2}h\d{2}")
_WORD = re.compile(r"[^\W\d_]+")
# Labels of controls printed beside a picture: an icon's name read aloud, a zoom or expand button.
_UI_LABEL = (
    r"(?:(?:camera|caption|photo|image|picture|gallery|info|zoom|expand|close|play|video|kamera|foto|bild)"
    r"[\s_-]?icon|icon|expand|collapse|zoom(?: in| out)?|enlarge|full ?screen|close|open gallery|view gallery|"
    r"show caption|hide caption|vergrößern|bild vergrößern|schließen|agrandir|ampliar|ingrandisci|تكبير|إغلاق)"
)
_UI_LABEL_ONLY = re.compile(rf"^{_UI_LABEL}$", re.IGNORECASE)
# Only an icon's name is taken off the front: "Close friends gather …" starts with a word, not a control.
_LEADING_ICON_NAME = re.compile(r"^(?:(?:[^\W\d_]+[\s_-]?)?icon\b[\s:|…]*)+(?=\S)", re.IGNORECASE)
# A trailing control label, printed capitalised after the caption: "… the harbour. Expand", "… Zoom".
_TRAILING_CONTROL = re.compile(
    r"(?:\s*[|·•]\s*|\s+)(?:Expand|Collapse|Zoom|Enlarge|Close|Fullscreen|Vergrößern|Schließen|Agrandir|Ampliar)$"
)
_PIECE_BREAK = re.compile(r"(?:(?<=[.!?。])\s+|\s*[|·•]\s*|\s+[–—-]\s+)")


def is_timestamp(text: str | None) -> bool:
    """A date or time line, however labelled: "Stand: 28.04.2023 17:23 Uhr", "Updated April 28, 2023 5:23 PM";
    never a caption nor a credit."""
    if not text or not _DATE_OR_TIME.search(text):
        return False
    return all(word in _STAMP_WORDS for word in _WORD.findall(text.casefold()))


def is_ui_label(text: str | None) -> bool:
    """The printed name of a control: "Camera Icon", "Caption Icon", "Expand", "Zoom"."""
    return bool(text) and bool(_UI_LABEL_ONLY.match(text.strip(" .:…|·•")))


def without_printed_chrome(text: str | None) -> str | None:
    """A caption without the control labels and the date line glued to it: "Camera Icon Workers clear… Expand"
    and "Der Feuerball über Hamburg. 28.04.2023 | 17:23" keep only the sentence; a text that is nothing else
    is None."""
    if not text:
        return None
    text = _TRAILING_CONTROL.sub("", _LEADING_ICON_NAME.sub("", text)).strip()
    for match in _PIECE_BREAK.finditer(text):
        if is_timestamp(text[match.end() :]):
            text = text[: match.start()].rstrip()
            break
    if not text or is_timestamp(text) or is_ui_label(text):
        return None
    return _clean_caption(text)
