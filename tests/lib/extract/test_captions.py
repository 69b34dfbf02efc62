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
        ("Foto: Imago/Blaulicht-News.de", None, "Imago/Blaulicht-News.de"),
        # parentheses that describe the picture are not credits
        (
            "Kim Jong Un (left) meets Sergei Lavrov (right)",
            "Kim Jong Un (left) meets Sergei Lavrov (right)",
            None,
        ),
        ("Die Ministerin (Mitte)", "Die Ministerin (Mitte)", None),
        ("Flood damage in Valencia (2024)", "Flood damage in Valencia (2024)", None),
        ("A caption with no credit at all", "A caption with no credit at all", None),
        ("   ", None, None),
        ("", None, None),
    ],
)
def test_split_credit(text, caption, credit):
    assert split_credit(text) == (caption, credit)
