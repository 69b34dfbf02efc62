"""Related blocks in flat markup: each card is a run of sibling elements, not one container per card."""

import pytest

from etl.lib.extract import extract_article

PAGE_URL = "https://zeitung.example/politik/2024/haushalt-einigung"
BODY = (
    "<p>"
    + "Der Stadtrat hat sich am Dienstag nach langer Debatte auf den Haushalt für das kommende Jahr geeinigt. "
    * 4
    + "</p>"
)

# A German "Lesen Sie auch" box: per card a picture and a class-named kicker print BEFORE the title link,
# then a summary paragraph and sometimes a byline follow it.
PICTURE_AND_KICKER_FIRST = """
<div class="box-weiter">
<h3>Lesen Sie auch</h3>
<img src="/bilder/mieten.jpg" alt="">
<span class="rubrik">Wirtschaft</span>
<a href="/wirtschaft/2024/mieten-steigen">Mieten in Großstädten steigen weiter</a>
<p>Die Kaltmieten sind im Jahresvergleich um sechs Prozent gestiegen, am stärksten in München.</p>
<span>Von Anna Berg</span>
<img src="/bilder/pokal.jpg" alt="">
<span class="rubrik">Sport</span>
<a href="/sport/2024/pokal-ueberraschung">Pokal: Überraschung in Runde zwei</a>
<p>Ein Drittligist wirft den Favoriten aus dem Wettbewerb und feiert bis in die Nacht.</p>
<img src="/bilder/bahn.jpg" alt="">
<span class="rubrik">Verkehr</span>
<a href="/verkehr/2024/bahn-streik">Bahnstreik legt den Nahverkehr lahm</a>
<p>Pendler müssen sich am Montag auf Ausfälle im gesamten Regionalverkehr einstellen.</p>
<span>Von Jonas Kraft</span>
</div>
"""

# A Spanish "Lee también" list in a table cell: the kicker is a bare <b> with no class, and the
# first card's summary is as short as a kicker may be; the tags the other cards print before their
# titles decide what leads a card.
BARE_KICKER_FIRST = """
<td>
<h4>Lee también</h4>
<b>Cultura</b>
<a href="/cultura/2024/museo-reabre">El museo del Prado reabre su ala norte</a>
<p>Tras dos años de obras en el edificio.</p>
<b>Ciencia</b>
<a href="/ciencia/2024/sonda-marte">Una sonda europea envía las primeras imágenes de Marte</a>
<p>Las fotografías muestran un cráter hasta ahora desconocido en el hemisferio sur.</p>
<b>Deportes</b>
<a href="/deportes/2024/maraton">Récord de participación en el maratón de Sevilla</a>
<p>Más de catorce mil corredores tomaron la salida el domingo por la mañana.</p>
</td>
"""


def _page(block: str, wrapper: str) -> str:
    open_tag, close_tag = {
        "div": ("<div>", "</div>"),
        "table": ("<table><tr>", "</tr></table>"),
    }[wrapper]
    return (
        "<html><head><title>Haushalt</title></head><body><article><h1>Einigung beim Haushalt</h1>"
        f"{BODY}{BODY}</article>{open_tag}{block}{close_tag}</body></html>"
    )


@pytest.mark.parametrize(
    ("block", "wrapper", "expected"),
    [
        (
            PICTURE_AND_KICKER_FIRST,
            "div",
            [
                (
                    "https://zeitung.example/wirtschaft/2024/mieten-steigen",
                    "Mieten in Großstädten steigen weiter",
                    "Wirtschaft",
                    "Die Kaltmieten sind im Jahresvergleich um sechs Prozent gestiegen, am stärksten in München.",
                    "https://zeitung.example/bilder/mieten.jpg",
                    "Von Anna Berg",
                ),
                (
                    "https://zeitung.example/sport/2024/pokal-ueberraschung",
                    "Pokal: Überraschung in Runde zwei",
                    "Sport",
                    "Ein Drittligist wirft den Favoriten aus dem Wettbewerb und feiert bis in die Nacht.",
                    "https://zeitung.example/bilder/pokal.jpg",
                    None,
                ),
                (
                    "https://zeitung.example/verkehr/2024/bahn-streik",
                    "Bahnstreik legt den Nahverkehr lahm",
                    "Verkehr",
                    "Pendler müssen sich am Montag auf Ausfälle im gesamten Regionalverkehr einstellen.",
                    "https://zeitung.example/bilder/bahn.jpg",
                    "Von Jonas Kraft",
                ),
            ],
        ),
        (
            BARE_KICKER_FIRST,
            "table",
            [
                (
                    "https://zeitung.example/cultura/2024/museo-reabre",
                    "El museo del Prado reabre su ala norte",
                    "Cultura",
                    "Tras dos años de obras en el edificio.",
                    None,
                    None,
                ),
                (
                    "https://zeitung.example/ciencia/2024/sonda-marte",
                    "Una sonda europea envía las primeras imágenes de Marte",
                    "Ciencia",
                    "Las fotografías muestran un cráter hasta ahora desconocido en el hemisferio sur.",
                    None,
                    None,
                ),
                (
                    "https://zeitung.example/deportes/2024/maraton",
                    "Récord de participación en el maratón de Sevilla",
                    "Deportes",
                    "Más de catorce mil corredores tomaron la salida el domingo por la mañana.",
                    None,
                    None,
                ),
            ],
        ),
    ],
    ids=["picture-and-kicker-first", "bare-kicker-first"],
)
def test_flat_cards_keep_what_is_printed_before_the_title(block, wrapper, expected):
    article = extract_article(_page(block, wrapper), PAGE_URL)
    assert [
        (link.url, link.title, link.section, link.summary, link.image_url, link.byline)
        for link in article.related
    ] == expected
    assert [link.position for link in article.related] == [0, 1, 2]
    # The cards' pictures are not article images, and no card text reaches the body.
    assert article.images == []
    for _, title, section, *_ in expected:
        assert title not in article.body_text
        assert section not in article.body_text


def test_flat_cards_without_leading_elements_keep_their_summaries():
    # The layout before the fix: title link, then summary; nothing before the next link belongs to it.
    block = (
        '<section class="mehr"><h2>Mehr zum Thema</h2>'
        '<a href="/a/2024/eins">Erste Geschichte über den Haushalt</a><p>Was die Einigung für Familien bedeutet.</p>'
        '<a href="/a/2024/zwei">Zweite Geschichte über den Haushalt</a><p>Was die Opposition dazu sagt.</p>'
        "</section>"
    )
    article = extract_article(_page(block, "div"), PAGE_URL)
    assert [(link.url, link.title, link.section, link.summary) for link in article.related] == [
        (
            "https://zeitung.example/a/2024/eins",
            "Erste Geschichte über den Haushalt",
            None,
            "Was die Einigung für Familien bedeutet.",
        ),
        (
            "https://zeitung.example/a/2024/zwei",
            "Zweite Geschichte über den Haushalt",
            None,
            "Was die Opposition dazu sagt.",
        ),
    ]


@pytest.mark.parametrize(
    "label",
    [
        '<div class="box-title">Related</div>',
        "<h3>Lesen Sie auch</h3>",
        '<span class="title">Read more</span>',
    ],
)
def test_a_one_card_block_never_takes_its_own_heading_as_the_title_or_kicker(label):
    block = (
        f'<div class="related-box">{label}<a href="/politik/2024/bruecke">Die Brücke wird ein Jahr gesperrt</a>'
        "<p>Die Sanierung beginnt im Mai und dauert den ganzen Sommer und Herbst.</p></div>"
    )
    article = extract_article(_page(block, "div"), PAGE_URL)
    assert [(link.url, link.title, link.section, link.summary) for link in article.related] == [
        (
            "https://zeitung.example/politik/2024/bruecke",
            "Die Brücke wird ein Jahr gesperrt",
            None,
            "Die Sanierung beginnt im Mai und dauert den ganzen Sommer und Herbst.",
        )
    ]


def test_a_read_more_label_inside_each_card_is_not_its_kicker():
    block = (
        '<section class="related"><h2>Related</h2>'
        '<div class="teaser"><span class="label">Leggi anche:</span>'
        '<a href="/cronaca/2024/siccita">La grande sete: due mesi senza pioggia</a></div>'
        '<div class="teaser"><span class="label">Read more</span><span class="label">Meteo</span>'
        '<a href="/meteo/2024/tempesta">La tempesta arriva in Valle</a></div></section>'
    )
    article = extract_article(_page(block, "div"), PAGE_URL)
    assert [(link.url, link.title, link.section) for link in article.related] == [
        ("https://zeitung.example/cronaca/2024/siccita", "La grande sete: due mesi senza pioggia", None),
        ("https://zeitung.example/meteo/2024/tempesta", "La tempesta arriva in Valle", "Meteo"),
    ]
