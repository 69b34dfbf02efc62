"""Photo credits to canonical agencies through the reviewed alias table."""

import csv
from importlib import resources

import polars as pl
import pytest

from etl.lib.extract.credits import credit_aliases, resolve_credits

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
