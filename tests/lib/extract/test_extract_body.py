"""Lines that trafilatura keeps but that are not the article: links to other articles, picture credits."""

import lxml.html
import pytest

from etl.lib.extract import extract_article
from etl.lib.extract.body import without_link_lines, without_picture_lines
from etl.lib.extract.regions import find_regions
from etl.lib.records import ExtractedImage


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        ("Read more: Looted colonial art", True),
        ("Lea también: Impiden ingreso a Nicaragua a reportero estadounidense", True),
        ("LE PUEDE INTERESAR: La ficha del expresidente en Nueva York", True),
        ("Czytaj też: Wyścig zbrojeń ruszył z kopyta", True),
        ("Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz", True),
        ("Mire: El cantante da positivo a COVID-19", True),
        ("Lesen Sie auch", True),
        ("Zum Weiterlesen:", True),
        ("Weitere Beiträge aus der Kolumne:", True),
        ("Más sobre La Tercera AM", True),
        # A sentence that only starts like a link label, and ordinary text with a colon, stay.
        ("See also: the council's own report, which was published on Monday.", False),
        ("Mira: el problema es que nadie nos avisó antes de cerrar la planta.", False),
        ("Der Bürgermeister sagte: Wir bauen die Brücke neu", False),
        ("Weitere Informationen gibt es beim Bürgeramt.", False),
    ],
)
def test_link_lines(line, dropped):
    text = f"The council met on Tuesday.\n{line}\nIt approved the budget."
    expected = "The council met on Tuesday.\nIt approved the budget." if dropped else text
    assert without_link_lines(text) == expected


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        ("© Oli Scarff/Getty Images", True),
        ("(Credit: Clayton Aldern / Grist)", True),
        ("Quelle: Landesregierung Hessen", True),
        ("Titelbild: dpa", True),
        # The picture's caption and credit printed with no space between them.
        ("The new president with the returning officer.DCV / Oppitz", True),
        ("The new president thanked the returning officer.", False),
        ("Die Quelle des Flusses liegt in den Alpen.", False),
    ],
)
def test_picture_lines(line, dropped):
    image = ExtractedImage(
        position=0,
        url="https://news.example/m/p.jpg",
        caption="The new president with the returning officer.",
        credit_raw="DCV / Oppitz",
    )
    text = f"The council met on Tuesday.\n{line}\nIt approved the budget."
    expected = "The council met on Tuesday.\nIt approved the budget." if dropped else text
    assert without_picture_lines(text, [image]) == expected


def test_inline_read_more_links_leave_the_body():
    # Bold label and link in one paragraph: trafilatura keeps it, the text rule drops it.
    paragraph = (
        "<p>" + "El consejo se reunió el martes para discutir el presupuesto del año que viene. " * 3 + "</p>"
    )
    page = (
        "<html><head><title>Presupuesto</title></head><body><article><h1>Presupuesto</h1>"
        f'{paragraph}<p><b>LE PUEDE INTERESAR: <a href="/2024/puente">El puente cerrará durante un año</a></b></p>'
        f"{paragraph}</article></body></html>"
    )
    article = extract_article(page, "https://news.example/2024/presupuesto")
    assert article.body_text.count("El consejo se reunió el martes") == 6
    assert "INTERESAR" not in article.body_text
    assert "El puente cerrará" not in article.body_text


def test_sign_up_prompts_and_share_bars_inside_the_article_leave_the_body():
    first = "<p>" + "The council met on Tuesday to discuss the new budget for the coming year. " * 3 + "</p>"
    second = "<p>" + "Members agreed to spend more on schools and less on roads than last year. " * 3 + "</p>"
    page = (
        "<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
        f'{first}<p class="newsletter-promo"><a href="/signup/">Get the Daily Courier by email and never miss '
        'our top stories</a> <a href="/signup/">Free Sign Up</a></p>'
        f'{second}<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3><div>Rate this article '
        "and share it with all of your friends on every network you use</div></div></article></body></html>"
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert "The council met on Tuesday" in article.body_text
    assert "Members agreed to spend more on schools" in article.body_text
    assert "Daily Courier" not in article.body_text
    assert "share it with all of your friends" not in article.body_text


def test_sign_up_and_share_widgets_are_cut_from_the_body_but_author_boxes_stay_for_metadata():
    paragraph = (
        "<p>" + "The council met on Tuesday to discuss the new budget for the coming year. " * 3 + "</p>"
    )
    tree = lxml.html.fromstring(
        "<html><body><article><h1>Budget</h1>"
        f'{paragraph}<p class="newsletter-promo"><a href="/signup/">Get the Daily Courier by email</a></p>'
        f'{paragraph}<div class="sharedaddy"><h3>Share this:</h3><a href="#">Facebook</a></div>'
        '<div class="author-box">By Jane Roe, city reporter</div></article></body></html>'
    )
    regions = find_regions(tree, "https://news.example/2024/budget")
    cut = {element.get("class") for element in regions.body_excluded()}
    assert {"newsletter-promo", "sharedaddy"} <= cut
    # The author box is a widget for images and related links, but trafilatura reads the byline from it.
    assert "author-box" in {element.get("class") for element in regions.widgets}
    assert "author-box" not in cut
