"""Captions and credits that hold on unseen publishers: every source of them, and what is never one.

Each page is of our own writing, one per markup family and language, and holds one picture per failure class
of issue 17: a gallery or carousel whose captions live in data-* attributes or the page's structured data
(JSON-LD naming another size of the printed picture, microdata, og:image:alt), lazily loaded slides after the
first, date lines and control labels beside a picture, a name in a caption's closing parenthesis, and
headings and teaser titles beside a picture.
"""

from pathlib import Path

import pytest

from etl.lib.extract import extract_article
from etl.lib.extract.captions import is_timestamp, without_printed_chrome

FIXTURES = Path(__file__).parents[2] / "fixtures" / "html"
WIRE = "https://media.example-wire.net/photos/2025/03/"
RUNDSCHAU = "https://bilder.beispiel-rundschau.de/2025/04/"
NEWS = "https://static.example-news.test/2025/10/"

# (url, caption, credit_raw, caption_source, credit_source), in document order
EXPECTED = {
    ("en_wire_carousel.html", "https://www.example-wire.net/world/floods-river-valley"): [
        (
            f"{WIRE}flood-main-1600x900.jpg",
            "Rescue workers steer boats along a flooded street in Lindenfeld on Friday.",
            "Jane Miller/Example Wire",
            "figure",
            "figure",
        ),
        # a lazy slide whose caption and credit the carousel keeps on the slide's data attributes
        (
            f"{WIRE}flood-bridge-800x450.jpg",
            "Water covers the old stone bridge near the town hall.",
            "Pedro Alves/Example Wire",
            "data-attribute",
            "data-attribute",
        ),
        # ... or on the picture's own
        (
            f"{WIRE}flood-family-800x450.jpg",
            "A family carries their belongings to higher ground.",
            "Jane Miller/Example Wire",
            "data-attribute",
            "data-attribute",
        ),
        # JSON-LD names the 800w file, the page prints the 1600w one of the same srcset
        (
            f"{WIRE}volunteers-sandbags-hq.jpg",
            "Volunteers fill sandbags outside the fire station.",
            "Lena Ortiz/Example Wire",
            "jsonld",
            "jsonld",
        ),
    ],
    ("de_controls_and_dates.html", "https://www.beispiel-rundschau.de/wissen/feuerball-meteorit"): [
        # the page's "Stand:" line beside the picture is neither caption nor credit
        (f"{RUNDSCHAU}feuerball-nachthimmel.jpg", None, None, None, None),
        # an icon's title and an "Expand" control inside the figcaption
        (
            f"{RUNDSCHAU}suche-auf-dem-feld.jpg",
            "Forscher suchen auf einem Feld bei Kiel nach Bruchstücken.",
            "Lena Brandt",
            "figure",
            "figure",
        ),
        # a "Caption Icon" label before the caption, a time stamp after it
        (f"{RUNDSCHAU}krater-feldrand.jpg", "Ein kleiner Krater am Feldrand.", None, "figure", None),
        # the name in the sentence's parenthesis belongs to the caption
        (
            f"{RUNDSCHAU}ministerin-fundstelle.jpg",
            "Die Wissenschaftsministerin besucht die Fundstelle mit ihrem Amtsvorgänger (Karl Meier).",
            None,
            "figure",
            None,
        ),
        # a credit-classed element holding an update time
        (
            f"{RUNDSCHAU}sternwarte-abend.jpg",
            "Die Sternwarte meldete mehr als 300 Sichtungen.",
            None,
            "figure",
            None,
        ),
        # schema.org microdata on the figure, the copyright holder a nested Organization
        (
            f"{RUNDSCHAU}bruchstueck-labor.jpg",
            "Das Bruchstück wird im Labor vermessen.",
            "Universität Kiel",
            "microdata",
            "microdata",
        ),
    ],
    ("ar_teasers_og_alt.html", "https://www.example-news.test/world/asia/kim-lavrov"): [
        # the lead picture has no printed caption: og:image:alt describes it
        (
            f"{NEWS}kim-lavrov-1200x675.jpg",
            "الزعيم الكوري الشمالي يصافح وزير الخارجية الروسي في بيونغ يانغ",
            None,
            "og:image:alt",
            None,
        ),
        # a heading in a caption-classed box is a teaser headline, not the caption
        (f"{NEWS}lavrov-press-800x450.jpg", None, None, None, None),
        # a card's kicker and title beside its picture are a teaser; its credit is still the picture's
        (f"{NEWS}putin-kim-base-800x450.jpg", None, "رويترز", None, "figure"),
        # the agency in the caption's closing parenthesis is a credit
        (f"{NEWS}kim-jong-un-800x450.jpg", "الزعيم الكوري الشمالي كيم جونغ أون", "د.ب.أ", "figure", "figure"),
    ],
}


@pytest.mark.parametrize(("fixture", "url"), list(EXPECTED))
def test_captions_and_credits_with_their_sources(fixture: str, url: str) -> None:
    article = extract_article((FIXTURES / fixture).read_bytes(), url)
    got = [(i.url, i.caption, i.credit_raw, i.caption_source, i.credit_source) for i in article.images]
    assert got == EXPECTED[(fixture, url)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stand: 28.04.2023 17:23 Uhr", True),
        ("Updated April 28, 2023 5:23 PM", True),
        ("آخر تحديث: 28 أبريل 2023", True),
        ("BILD 15.05.2023", False),  # a credit that carries its date
        ("Jane Doe/AFP", False),
    ],
)
def test_date_lines(text: str, expected: bool) -> None:

    assert is_timestamp(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Camera Icon Workers clear the road. Expand", "Workers clear the road."),
        ("Der Feuerball über Hamburg. 28.04.2023 | 17:23", "Der Feuerball über Hamburg."),
        ("Close friends gather in the square", "Close friends gather in the square"),
        ("Iconic view of the bay", "Iconic view of the bay"),
        ("Caption Icon", None),
    ],
)
def test_captions_without_printed_chrome(text: str, expected: str | None) -> None:

    assert without_printed_chrome(text) == expected
