import pytest

from etl.lib.extract.captions import split_credit


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        ("الزعيم الكوري الشمالي كيم جونغ أون (د.ب.أ)", "الزعيم الكوري الشمالي كيم جونغ أون", "د.ب.أ"),
        ("رئيس الوزراء الياباني شيغيرو إيشيبا (أ.ف.ب)", "رئيس الوزراء الياباني شيغيرو إيشيبا", "أ.ف.ب"),
        (
            "بوتين وكيم في قاعدة «فوستوشني» (أرشيفية - رويترز)",
            "بوتين وكيم في قاعدة «فوستوشني»",
            "أرشيفية - رويترز",
        ),
        # the seed's related card: a credit that names no agency, only what printed the photo
        (
            "صورة للمواطن الأميركي محاطاً بجنود روس (وسائل إعلام روسية)",
            "صورة للمواطن الأميركي محاطاً بجنود روس",
            "وسائل إعلام روسية",
        ),
        ("President Biden speaks in Delaware (AFP)", "President Biden speaks in Delaware", "AFP"),
        (
            "Rescue workers at the site. Photo: Reuters/Jane Doe",
            "Rescue workers at the site.",
            "Reuters/Jane Doe",
        ),
        ("Demonstranten in Hamburg. Foto: dpa", "Demonstranten in Hamburg.", "dpa"),
        ("A quiet street in Kyiv | Photograph: Getty Images", "A quiet street in Kyiv", "Getty Images"),
        ("Eine Katze auf dem Dach © Imago", "Eine Katze auf dem Dach", "Imago"),
        ("(AFP)", None, "AFP"),
        (
            "Kamala Harris in 1981. Photo by Handout/AFP via Getty Images",
            "Kamala Harris in 1981.",
            "Handout/AFP via Getty Images",
        ),
        (
            "Feuerwehrleute protestieren | Bildquelle: WDR / Biernat",
            "Feuerwehrleute protestieren",
            "WDR / Biernat",
        ),
        (
            "尹大統領の発言をテレビで見る国民（ソウルで、３日）＝ＡＰ",
            "尹大統領の発言をテレビで見る国民（ソウルで、３日）",
            "ＡＰ",
        ),
        ("移送のため警視庁を出る容疑者（潟沼義樹撮影）", "移送のため警視庁を出る容疑者", "潟沼義樹"),
        ("후보가 15일 유세에서 연설하고 있다. 연합뉴스", "후보가 15일 유세에서 연설하고 있다.", "연합뉴스"),
        ("イスラエルの国旗＝同国で2019年5月", "イスラエルの国旗＝同国で2019年5月", None),
        ("후보가 국회에서 인사하고 있다. 뉴스1", "후보가 국회에서 인사하고 있다.", "뉴스1"),
        ("The team trained in Berlin. Since 2019", "The team trained in Berlin. Since 2019", None),
        (
            "후보가 시민들에게 큰절을 올리고 있다. 고영권 기자",
            "후보가 시민들에게 큰절을 올리고 있다.",
            "고영권",
        ),
        ("Foto: Imago/Blaulicht-News.de", None, "Imago/Blaulicht-News.de"),
        # a long parenthesis is a credit when it says so; a long one that does not stays the caption's
        (
            "The two hosts arrive at the gala. (Photos by Jane Roe, left, and Mark Von Moe/Invision/AP)",
            "The two hosts arrive at the gala.",
            "Photos by Jane Roe, left, and Mark Von Moe/Invision/AP",
        ),
        (
            "Die Ministerin besucht die Fundstelle (mit ihrem Amtsvorgänger und vielen Leuten aus der Stadt)",
            "Die Ministerin besucht die Fundstelle (mit ihrem Amtsvorgänger und vielen Leuten aus der Stadt)",
            None,
        ),
        # parentheses that describe the picture are not credits
        (
            "Kim Jong Un (left) meets Sergei Lavrov (right)",
            "Kim Jong Un (left) meets Sergei Lavrov (right)",
            None,
        ),
        ("Die Ministerin (Mitte)", "Die Ministerin (Mitte)", None),
        ("Flood damage in Valencia (2024)", "Flood damage in Valencia (2024)", None),
        ("Soldaten in Kundus (Kundus, 6.12.2010)", "Soldaten in Kundus (Kundus, 6.12.2010)", None),
        ("Annalena Baerbock (Archivbild)", "Annalena Baerbock (Archivbild)", None),
        (
            "Houseplants that clean the air (stock image)",
            "Houseplants that clean the air (stock image)",
            None,
        ),
        (
            "The squad celebrates the title win. Left to right",
            "The squad celebrates the title win. Left to right",
            None,
        ),
        ("Dr. Smith at work", "Dr. Smith at work", None),
        (
            "The mayor at the town hall. Archivfoto: picture alliance/dpa | Hannes Albert",
            "The mayor at the town hall.",
            "picture alliance/dpa | Hannes Albert",
        ),
        # "Symbolbild:" labels what the picture stands for, not who took it.
        ("Symbolbild: Homosexuelle Schauspieler", "Symbolbild: Homosexuelle Schauspieler", None),
        ("A caption with no credit at all", "A caption with no credit at all", None),
        ("   ", None, None),
        ("", None, None),
    ],
)
def test_split_credit(text, caption, credit):
    assert split_credit(text) == (caption, credit)


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        ("Crowds in the square in Madrid (Spain).", "Crowds in the square in Madrid (Spain).", None),
        ("A refinery in Carson. (AP Photo/Jane Doe)", "A refinery in Carson. (AP Photo/Jane Doe)", None),
        ("Candidates greet voters. Yonhap", "Candidates greet voters. Yonhap", None),
        (
            "The pyramid of the four phases. Foto: Max Muster/dpa",
            "The pyramid of the four phases.",
            "Max Muster/dpa",
        ),
        ("Rescue workers at the site. Photo by Jane Doe", "Rescue workers at the site.", "Jane Doe"),
    ],
)
def test_split_credit_labelled_only_keeps_parentheses_and_trailing_names(text, caption, credit):
    # For a caption whose credit is printed in an element of its own: only a labelled credit is split off.
    assert split_credit(text, labelled_only=True) == (caption, credit)
