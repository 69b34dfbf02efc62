"""The extraction benchmark's caption match: a credit printed inside the truth's caption is compared with ours,
never waved through."""

import pytest

from bench.extraction import _same_caption


@pytest.mark.parametrize(
    ("ours", "truth", "same"),
    [
        # the truth keeps the credit inside the caption, with a label, in brackets, or glued on
        (
            ("Harris poses with classmates.", "Handout/AFP via Getty Images"),
            "Harris poses with classmates. Photo by Handout/AFP via Getty Images",
            True,
        ),
        (
            ("Hantavirus ist keine Nebenwirkung", "AFP / Jane Doe"),
            "Hantavirus ist keine Nebenwirkung (AFP / Jane Doe)",
            True,
        ),
        (("通話試験を行う技官", "警視庁提供"), "通話試験を行う技官（警視庁提供）", True),
        (
            ("A rally in Seoul on Thursday.", "Jane Doe / AFP"),
            "A rally in Seoul on Thursday.Jane Doe / AFP",
            True,
        ),
        (("A  rally in Seoul.", None), "A rally in Seoul.", True),
        # still a miss: the credit is not ours, the caption runs on, ours is cut short, no caption at all
        (
            ("Gollnow spricht.", "Gollnow/dpa"),
            "Gollnow spricht. Foto: Gollnow/dpa +++ dpa-Bildfunk +++",
            False,
        ),
        (("Kamala", "Harris"), "Kamala Harris", False),
        (("A rally in Seoul", "dpa"), "A rally in Seoul.", False),
        ((None, "Liverpool Echo"), "(Image: Liverpool Echo)", False),
        (("A rally in Seoul.", "Jane Doe"), "A rally in Seoul. Photo by John Roe", False),
    ],
)
def test_caption_match_rejoins_only_our_own_credit(ours, truth, same) -> None:
    assert _same_caption(ours, truth) is same


def test_an_unmarked_credit_is_rejoined_only_when_the_truth_names_it_the_credit() -> None:
    ours = ("Einsatzkräfte in Berlin", "Jane Doe/dpa")
    assert _same_caption(ours, "Einsatzkräfte in Berlin Jane Doe/dpa", truth_credit="Jane Doe / dpa")
    assert not _same_caption(ours, "Einsatzkräfte in Berlin Jane Doe/dpa", truth_credit="Max Muster")
