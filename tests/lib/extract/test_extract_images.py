"""Image markups one at a time: each page holds one article picture in a different dress."""

import pytest

from etl.lib.extract import extract_article

BODY = "<p>" + "The council met on Tuesday to discuss the new budget for the coming year. " * 4 + "</p>"


def _page(figure: str) -> str:
    return f"<html><head><title>t</title></head><body><article><h1>Budget</h1>{figure}{BODY}{BODY}</article></body></html>"


@pytest.mark.parametrize(
    ("figure", "url", "caption", "credit"),
    [
        (  # styled-components wrapper: no caption class, caption then credit
            '<div class="sc-a1"><picture><img src="/m/chelsea-win.jpg"></picture>'
            '<div class="sc-b2">Chelsea beat Tottenham on Thursday night</div><div class="sc-c3">Getty Images</div></div>',
            "https://news.example/m/chelsea-win.jpg",
            "Chelsea beat Tottenham on Thursday night",
            "Getty Images",
        ),
        (  # credit element whose text goes on after it
            '<figure><img src="/m/kotli.jpg"><figcaption><span class="caption">Damage in Kotli.</span> '
            '<span class="credit">Photo by GHULAM RASOOL</span> /<span class="distributor">AFP via Getty Images</span>'
            "</figcaption></figure>",
            "https://news.example/m/kotli.jpg",
            "Damage in Kotli.",
            "GHULAM RASOOL / AFP via Getty Images",
        ),
        (  # <source> is not void for libxml2: the <img> ends up nested in the sources
            '<figure><picture><source media="(min-width: 600px)" srcset="/m/razzia-2000.webp" type="image/webp">'
            '<source srcset="/m/razzia-640.jpg" type="image/jpeg"><img src="/m/razzia.jpg"></picture>'
            '<figcaption><p>Polizei-Razzia in Palma <span data-role="author"> / Lorenzo Marina</span></p></figcaption></figure>',
            "https://news.example/m/razzia.jpg",
            "Polizei-Razzia in Palma",
            "Lorenzo Marina",
        ),
        (  # AMP markup
            '<figure><amp-img src="/m/plymouth.jpg" width="800" height="450" layout="responsive"></amp-img>'
            "<figcaption>Protesters in Guildhall Square, Plymouth (Image: Anadolu via Getty Images)</figcaption></figure>",
            "https://news.example/m/plymouth.jpg",
            "Protesters in Guildhall Square, Plymouth",
            "Anadolu via Getty Images",
        ),
        (  # the figcaption printed after the wrapper that holds only the figure (a counter inside it)
            '<div class="embed"><div class="frame"><figure><img src="/m/harbour.jpg">'
            '<span class="count">View 4 Images</span></figure></div>'
            "<figcaption><span>Boats wait outside the harbour at dawn</span></figcaption></div>",
            "https://news.example/m/harbour.jpg",
            "Boats wait outside the harbour at dawn",
            None,
        ),
        (  # hashed wrapper: picture, a caption paragraph, then a labelled credit paragraph
            '<div class="w-9x"><span><picture><img src="/m/bookfair.jpg"></picture></span>'
            "<p><span>Readers queue for signed copies at the book fair.</span></p><p>Image: Ana Lima</p></div>",
            "https://news.example/m/bookfair.jpg",
            "Readers queue for signed copies at the book fair.",
            "Ana Lima",
        ),
        (  # a heading as the caption, beside a labelled credit
            '<div class="box"><div class="zoom"><img src="/m/drill.jpg"></div>'
            "<h1>Marines take part in the opening ceremony of the joint drill</h1><p>Photo: AP</p></div>",
            "https://news.example/m/drill.jpg",
            "Marines take part in the opening ceremony of the joint drill",
            "AP",
        ),
        (  # the credit printed above the picture, the caption below
            '<div class="mx-auto"><span class="text-sm">Foto: Deja Gaston</span><img src="/m/march.jpg">'
            '<div class="text-base">Protesters march through the city centre</div></div>',
            "https://news.example/m/march.jpg",
            "Protesters march through the city centre",
            "Deja Gaston",
        ),
        (  # one caption paragraph whose last span is the credit
            '<div class="child"><picture><img src="/m/coach.jpg"></picture>'
            "<p>The coach wants as many points as possible. <span>IMAGO/Jane Roe</span></p></div>",
            "https://news.example/m/coach.jpg",
            "The coach wants as many points as possible.",
            "IMAGO/Jane Roe",
        ),
        (  # a described picture: the description holds the caption and a credit-classed span
            '<div class="detail"><div class="wrap"><img src="/m/pyramid.jpg"><div class="icons"><svg></svg></div></div>'
            '<div class="detail__description"><div>The plan in four phases. '
            '<span class="detail__copyright">Bild: Screenshot</span></div></div></div>',
            "https://news.example/m/pyramid.jpg",
            "The plan in four phases.",
            "Screenshot",
        ),
        (  # the same, with a caption longer than body-like pieces may be: the credit inside says figure
            '<div class="detail"><div class="wrap"><img src="/m/minister.jpg"><div class="icons"><svg></svg></div></div>'
            '<div class="detail__description"><div>The finance minister speaks at the party headquarters during a press conference on the budget. Behind him stand the justice minister and the general secretary, who has since resigned from the post, and several members of the executive board who had travelled to the capital for the meeting on Friday, where the future of the coalition was decided late at night after a long debate among all the ministers present. '
            '<span class="detail__copyright">Bild: Jane Roe/dpa</span></div></div></div>',
            "https://news.example/m/minister.jpg",
            "The finance minister speaks at the party headquarters during a press conference on the budget. Behind him stand the justice minister and the general secretary, who has since resigned from the post, and several members of the executive board who had travelled to the capital for the meeting on Friday, where the future of the coalition was decided late at night after a long debate among all the ministers present.",
            "Jane Roe/dpa",
        ),
        (  # a <small> that is the whole figcaption is the caption, its "(Quelle: …)" the credit
            '<figure><div><img src="/m/post.jpg"></div><figcaption><small>The president has deleted the post. '
            "(Quelle: Truth Social)</small></figcaption></figure>",
            "https://news.example/m/post.jpg",
            "The president has deleted the post.",
            "Truth Social",
        ),
        (  # a credit element named in German ("Bildautor") before the caption text
            '<figure><img src="/m/vigil.jpg"><figcaption><div class="bildautor">Bild: SN/APA</div>'
            "Vigil for the victims on Friday</figcaption></figure>",
            "https://news.example/m/vigil.jpg",
            "Vigil for the victims on Friday",
            "SN/APA",
        ),
        (  # an empty element beside the caption does not hide it
            '<div class="k1"><div class="k2"><picture><img src="/m/interview.jpg"></picture></div>'
            '<div class="k3">The former minister being interviewed on stage</div><div class="k4"></div></div>',
            "https://news.example/m/interview.jpg",
            "The former minister being interviewed on stage",
            None,
        ),
        (  # a credit line broken off the caption by <br>, printed first
            '<figure><a href="/attachment/77"><img src="/m/debate.jpg" alt=""></a>'
            "<figcaption><span>The Daily Courier</span><br>Party leaders take part in a televised debate on Saturday."
            "</figcaption></figure>",
            "https://news.example/m/debate.jpg",
            "Party leaders take part in a televised debate on Saturday.",
            "The Daily Courier",
        ),
        (  # beside its own credit element, the caption's trailing parenthesis is part of it
            '<figure><img src="/m/fair.jpg"><figcaption><span class="image-description">Crowds at the fair in '
            'Madrid (Spain).</span><strong class="author">Jane Roe / Press Agency</strong></figcaption></figure>',
            "https://news.example/m/fair.jpg",
            "Crowds at the fair in Madrid (Spain).",
            "Jane Roe / Press Agency",
        ),
        (  # a "More" button and a <noscript> notice in the figure are not caption text
            '<figure><div class="player"><div class="poster"><img src="/m/vault.jpg"></div>'
            "<noscript><span>You need JavaScript to watch this video.</span></noscript></div>"
            '<figcaption><div class="copy">The vaulter fails at her last attempt.</div>'
            '<div class="credits">&copy; Jane Roe / Agency</div><button type="button">More</button></figcaption></figure>',
            "https://news.example/m/vault.jpg",
            "The vaulter fails at her last attempt.",
            "Jane Roe / Agency",
        ),
        (  # a "show more" toggle (role=button, or hidden) is neither caption nor credit
            '<figure><img src="/m/knife.jpg"><figcaption>KNIFE: The knife the police found. Foto: Metropolitan '
            'Police <span class="toggle" role="button">Vis mer</span></figcaption></figure>',
            "https://news.example/m/knife.jpg",
            "KNIFE: The knife the police found.",
            "Metropolitan Police",
        ),
        (
            '<figure><img src="/m/smoke.jpg"><figcaption><span class="cap">Smoke rises over the centre.<span>'
            ' Foto: Dan Roe/AP</span></span><span class="more" hidden="">Visa mer</span></figcaption></figure>',
            "https://news.example/m/smoke.jpg",
            "Smoke rises over the centre.",
            "Dan Roe/AP",
        ),
        (  # a credit element printing only its label, the name in the next one
            '<figure><img src="/m/officer.jpg"><div class="article-caption"><span class="caption-text">Police officer '
            '<span>- </span><span class="caption-copyright">Copyright </span>'
            '<span class="caption-credit">Jane Roe/AP</span></span></div></figure>',
            "https://news.example/m/officer.jpg",
            "Police officer",
            "Jane Roe/AP",
        ),
        (  # agency and photographer fields holding the same name; a "Symbolfoto:" label
            '<figure><img src="/m/smoke2.jpg"><figcaption><span class="text">Dark smoke over the houses.</span>'
            "<span>&copy; Ann Seidl | Ann Seidl</span></figcaption></figure>",
            "https://news.example/m/smoke2.jpg",
            "Dark smoke over the houses.",
            "Ann Seidl",
        ),
        (  # a skip link printed for screen readers only is not caption text
            '<figure><img src="/m/refill.jpg"><figcaption><p class="gallery-caption">Volunteers explain refill '
            'shopping.</p><p class="gallery-copyright">&copy; Iona Dutz</p><a class="u-hiddenVisually" '
            'href="#end">Skip the gallery</a></figcaption></figure>',
            "https://news.example/m/refill.jpg",
            "Volunteers explain refill shopping.",
            "Iona Dutz",
        ),
        (  # a kicker and its headline beside a video still: no credit in "Rescue at sea: …"
            '<div class="teaser"><div class="still"><img src="/m/eagle.jpg"></div><div class="bu">'
            '<span class="intro">Rescue at sea: </span><span class="headline">Fishermen free an eagle</span>'
            "</div></div>",
            "https://news.example/m/eagle.jpg",
            "Rescue at sea: Fishermen free an eagle",
            None,
        ),
        (  # a figcaption that prints only the credit, in an element whose class says so
            '<figure><img src="/m/fire.jpg"><figcaption><span class="credit">Noah Berger / AP</span>'
            "</figcaption></figure>",
            "https://news.example/m/fire.jpg",
            None,
            "Noah Berger / AP",
        ),
        (  # a date beside a picture is neither its caption nor its credit
            '<div class="x1"><span class="brand"><img src="/m/partner.jpg" width="300"></span>'
            '<span><span class="time">02/10/2020</span></span></div>',
            "https://news.example/m/partner.jpg",
            None,
            None,
        ),
        (  # the credit only in the title attribute
            '<div class="media"><img src="/m/feuerwehr.jpg" alt="Feuerwehr" '
            'title="Feuerwehrleute protestieren | Bildquelle: WDR / Biernat"></div>',
            "https://news.example/m/feuerwehr.jpg",
            None,
            "WDR / Biernat",
        ),
    ],
)
def test_one_picture_per_markup(figure, url, caption, credit):
    article = extract_article(_page(figure), "https://news.example/2024/budget")
    assert [(image.url, image.caption, image.credit_raw) for image in article.images] == [
        (url, caption, credit)
    ]


def test_pixels_icons_logos_and_related_images_are_not_article_images():
    page = _page(
        '<img src="https://track.example/p.gif" width="1" height="1">'
        '<img src="/static/logo.png" class="site-logo">'
        '<img src="/icons/share.svg">'
        '<img src="/m/real-photo.jpg" width="800" height="500">'
        '<aside class="related-articles"><h3>Related</h3>'
        '<a href="/2024/other-story"><img src="/m/teaser.jpg">A different story about the council budget</a>'
        '<a href="/2024/third-story"><img src="/m/teaser2.jpg">Yet another story about the city budget</a></aside>'
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert [image.url for image in article.images] == ["https://news.example/m/real-photo.jpg"]
    assert [link.url for link in article.related] == [
        "https://news.example/2024/other-story",
        "https://news.example/2024/third-story",
    ]


def test_the_same_picture_twice_is_one_image():
    page = _page(
        '<figure><img class="lazy" src="data:image/gif;base64,R0lGOD" data-src="/m/kim-jong-un-pyongyang-800.jpg" alt="Kim">'
        '<noscript><img src="/m/kim-jong-un-pyongyang-800.jpg" alt="Kim"></noscript><figcaption>Kim in Pyongyang (AFP)</figcaption></figure>'
        '<a href="/m/kim-jong-un-pyongyang-1600.jpg"><img src="/m/kim-jong-un-pyongyang-1600.jpg"></a>'
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert [(i.url, i.caption, i.credit_raw, i.alt_text) for i in article.images] == [
        ("https://news.example/m/kim-jong-un-pyongyang-800.jpg", "Kim in Pyongyang", "AFP", "Kim")
    ]


def test_a_picture_then_one_paragraph_is_not_a_caption_without_a_credit():
    # Without a credit beside it, a paragraph next to a picture is as likely the article's first paragraph.
    page = _page(
        '<div class="x"><img src="/m/square.jpg"><p>The square was full on Saturday as the market opened.</p></div>'
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert [(i.url, i.caption) for i in article.images] == [("https://news.example/m/square.jpg", None)]
    assert "The square was full on Saturday" in article.body_text


def test_a_widget_after_a_picture_is_not_its_caption():
    page = _page(
        '<div class="topic"><div class="status"><img src="/m/spinner-grey.gif" width="200"></div>'
        "<div>Follow <button>Sign in to follow.</button> Cancel</div></div>"
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert all(image.caption is None and image.credit_raw is None for image in article.images)


def test_a_hero_above_the_article_counts_when_og_image_is_another_crop_of_it():
    # The CMS names each crop of one upload after a shared stem; og:image is the social crop.
    stem = "/storage/image/8/4/1065948_mayor-admits-failings-after-the-fire"
    page = (
        '<html><head><title>t</title><meta property="og:image" '
        f'content="https://news.example{stem}_metadata_1FngrG_MKF8HP.jpg"></head><body>'
        f'<div class="hero"><figure><img src="{stem}_detail_1FngrG_4Iql23.jpg" width="680" height="453">'
        '<figcaption>The mayor admits failings <span class="credit">Bild: APA</span></figcaption></figure></div>'
        f"<article><h1>Budget</h1>{BODY}{BODY}</article></body></html>"
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert [(i.url, i.caption, i.credit_raw, i.is_lead) for i in article.images] == [
        (f"https://news.example{stem}_detail_1FngrG_4Iql23.jpg", "The mayor admits failings", "APA", True)
    ]


def test_pictures_that_only_share_a_folder_are_not_the_og_image():
    page = (
        '<html><head><title>t</title><meta property="og:image" '
        'content="https://news.example/uploads/2024/10/harbour-at-dawn-2024.jpg"></head><body>'
        '<div class="promo"><img src="/uploads/2024/10/harvest-festival-2024.jpg" width="680" height="453"></div>'
        f"<article><h1>Budget</h1>{BODY}{BODY}</article></body></html>"
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert article.images == []


def test_a_load_more_button_after_a_teaser_list_is_no_caption():
    page = _page(
        '<div class="grid"><ul><li><a href="/2024/law"><img src="/m/law.jpg" width="320"></a>'
        '<a href="/2024/law">The law, nothing but the law, and what it means</a></li></ul>'
        '<div class="cfix"></div><div class="load-more-btn">Load more articles</div></div>'
    )
    article = extract_article(page, "https://news.example/2024/budget")
    assert all(image.caption is None for image in article.images)
