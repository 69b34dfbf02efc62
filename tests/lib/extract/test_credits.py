"""Photo credits to canonical agencies through the reviewed alias table."""

import csv
from importlib import resources

import polars as pl
import pytest

from etl.lib.extract.credits import credit_aliases, resolve_credits, split_trailing_credit

CREDITS = [
    # the seed page and its related-article cards (Asharq Al-Awsat)
    ("أ.ف.ب", "AFP", False),
    ("ا.ف.ب", "AFP", False),
    ("د.ب.أ", "dpa", False),
    ("رويترز", "Reuters", False),
    ("أرشيفية - رويترز", "Reuters", True),
    ("وسائل إعلام روسية", "وسائل إعلام روسية", False),  # unknown: kept as printed
    # other Arabic and French spellings
    ("فرانس برس", "AFP", False),
    ("أ ف ب", "AFP", False),
    ("إ.ب.أ", "EPA", False),
    ("أ.ب", "AP", False),
    ("الأناضول", "Anadolu", False),
    ("وام", "WAM", False),
    ("واس", "SPA", False),
    ("«الشرق الأوسط»", "Asharq Al-Awsat", False),
    ("Agence France-Presse", "AFP", False),
    # compound credits: the first agency in printed order wins
    ("AFP/Getty Images", "AFP", False),
    ("Handout/English Montreal School Board/Westmount High School/AFP via Getty Images", "AFP", False),
    ("Getty Images/iStockphoto", "Getty", False),
    ("Philipp von Ditfurth/dpa", "dpa", False),
    ("AP Photo/Eric Gay, File", "AP", True),
    ("Bild: SN/APA/KEYSTONE/CYRIL ZINGARO", "APA", False),
    ("AFP / ISHARA S. KODIKARA", "AFP", False),
    ("EPA-EFE", "EPA", False),
    ("Andreas Seidel/Archiv", "Andreas Seidel/Archiv", True),
    # empty credits stay empty
    ("  \u200f ", None, False),
    (None, None, False),
]


@pytest.mark.parametrize(("raw", "credit", "is_archive"), CREDITS)
def test_resolve_credit(raw, credit, is_archive):
    resolved = resolve_credits(pl.Series([raw], dtype=pl.String))
    assert resolved.row(0) == (credit, is_archive)


def test_resolve_credits_keeps_row_order_over_a_column():
    resolved = resolve_credits(pl.Series([raw for raw, _, _ in CREDITS], dtype=pl.String))
    assert resolved.rows() == [(credit, archive) for _, credit, archive in CREDITS]


@pytest.mark.parametrize(
    ("caption", "credit_raw", "expected_caption", "expected_credit"),
    [
        # the seed page's inline photo, credit still in the caption
        ("الزعيم الكوري الشمالي كيم جونغ أون (د.ب.أ)", None, "الزعيم الكوري الشمالي كيم جونغ أون", "د.ب.أ"),
        (
            "صورة للمواطن الأميركي محاطاً بجنود روس (وسائل إعلام روسية)",
            None,
            "صورة للمواطن الأميركي محاطاً بجنود روس",
            "وسائل إعلام روسية",
        ),
        (
            "فلاديمير بوتين وكيم جونغ أون (أرشيفية - رويترز)",
            None,
            "فلاديمير بوتين وكيم جونغ أون",
            "أرشيفية - رويترز",
        ),
        # a weekday in brackets is not a credit
        ("أكد كيم أمس (الخميس)", None, "أكد كيم أمس (الخميس)", None),
        # the extractor already split it: nothing to do
        (
            "لقطة جامعة لحضور قمة البريكس (رويترز)",
            "رويترز",
            "لقطة جامعة لحضور قمة البريكس (رويترز)",
            "رويترز",
        ),
        ("Ein Foto ohne Klammer", None, "Ein Foto ohne Klammer", None),
        (None, None, None, None),
    ],
)
def test_split_trailing_credit(caption, credit_raw, expected_caption, expected_credit):
    split = split_trailing_credit(
        pl.Series([caption], dtype=pl.String), pl.Series([credit_raw], dtype=pl.String)
    )
    assert split.row(0) == (expected_caption, expected_credit)


def test_alias_table_ships_inside_the_package_and_covers_the_required_agencies():
    with resources.files("etl").joinpath("data/credit_aliases.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    agencies = {row["agency"] for row in rows if row["kind"] == "agency"}
    assert {
        "AFP",
        "Reuters",
        "AP",
        "dpa",
        "EPA",
        "Getty",
        "Anadolu",
        "WAM",
        "SPA",
        "Asharq Al-Awsat",
    } <= agencies
    assert {row["kind"] for row in rows} == {"agency", "archive"}
    assert all(row["agency"] == "" for row in rows if row["kind"] == "archive")
    # every alias reaches its agency through the same matching the pipeline uses
    resolved = resolve_credits(pl.Series([row["alias"] for row in rows if row["kind"] == "agency"]))
    assert resolved["credit"].to_list() == [row["agency"] for row in rows if row["kind"] == "agency"]
    assert credit_aliases()["key"].is_unique().all()
