"""The extraction benchmark's caption match: a credit printed inside the truth's caption is compared with ours,
never waved through."""

import lxml.html
import pytest

from bench.extraction import Prediction, _same_caption, evaluate


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


def _readability_page(figcaption: str) -> tuple[dict, bytes]:
    """A page as Mozilla's readability set holds it: the truth is the picture's `src` and its whole figcaption."""
    html = f'<html><body><article><figure><img src="/a.jpg">{figcaption}</figure></article></body></html>'
    caption = " ".join(lxml.html.fromstring(figcaption).text_content().split())
    row = {
        "file": "html/page.html.gz",
        "expected_images": [{"src": "http://fakehost/a.jpg", "caption": caption}],
    }
    return row, html.encode()


@pytest.mark.parametrize(
    ("figcaption", "same"),
    [
        # the page prints the credit as an element of its own: our split is the page's
        (
            "<figcaption><span>Demonstrators in Seoul</span> <span>Jane Doe / Getty Images</span></figcaption>",
            True,
        ),
        # the name is inside the caption's own text, or the one element holds both: nothing is set apart
        ("<figcaption>Demonstrators in Seoul <em>Jane Doe / Getty Images</em></figcaption>", False),
        ("<figcaption><p>Demonstrators in Seoul Jane Doe / Getty Images</p></figcaption>", False),
        # set apart, but not where we split
        (
            "<figcaption><span>Demonstrators</span> <span>in Seoul Jane Doe / Getty Images</span></figcaption>",
            False,
        ),
    ],
)
def test_a_readability_caption_is_rejoined_where_the_page_prints_the_credit_apart(figcaption, same) -> None:
    page = _readability_page(figcaption)
    ours = Prediction(images=[("http://fakehost/a.jpg", "Demonstrators in Seoul", "Jane Doe / Getty Images")])
    scores = evaluate("mozilla-readability-test-pages", [page], lambda raw, url: ours)
    assert scores["captions"] == 1
    assert scores["caption"] == (1.0 if same else 0.0)
