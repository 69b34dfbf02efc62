"""Which URL identifies an article: a canonical shared by different articles, in the batch or with the
warehouse, identifies none of them; the same article under several URLs still collapses to one id."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.lib.normalize.batch import normalize_batch
from etl.lib.schema import EXTRACTED_ARTICLES, EXTRACTED_IMAGES, EXTRACTED_RELATED_LINKS
from etl.lib.warehouse import load as warehouse
from tests.lib.normalize.test_normalize import BODY, article

SITE = "https://aawsat.com"
LIVE = f"{SITE}/world/4699999-live-coverage"
OTHER_BODY = (
    "ارتفعت أسعار النفط في تعاملات الثلاثاء بعد أن أظهرت بيانات رسمية تراجع مخزونات الخام في الولايات المتحدة "
    "بأكثر من توقعات المحللين للأسبوع الثالث على التوالي، وصعد خام برنت إلى أعلى مستوى له منذ شهرين."
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalized(rows: list[dict], stored=None) -> dict[str, dict]:
    batch = normalize_batch(
        pl.DataFrame(rows, schema=EXTRACTED_ARTICLES),
        pl.DataFrame(schema=EXTRACTED_IMAGES),
        pl.DataFrame(schema=EXTRACTED_RELATED_LINKS),
        stored,
    )
    return {row["url"]: row for row in batch.articles.iter_rows(named=True)}


def test_a_canonical_pages_of_different_content_share_identifies_none_of_them():
    rows = normalized(
        [
            article(url=f"{SITE}/world/4700106-a", canonical_url=LIVE, title="أ", body_text=BODY),
            article(url=f"{SITE}/world/4700107-b", canonical_url=LIVE, title="ب", body_text=OTHER_BODY),
            article(url=LIVE, canonical_url=LIVE, title="ج", body_text=BODY + "\nتحديث مباشر."),
        ]
    )
    for url in (f"{SITE}/world/4700106-a", f"{SITE}/world/4700107-b"):
        assert rows[url]["article_id"] == sha256(url)
        assert (rows[url]["identity_source"], rows[url]["canonical_ignored_reason"]) == (
            "url",
            "canonical_shared_by_different_articles",
        )
    # the page fetched from that very URL is still the article it names
    assert rows[LIVE]["article_id"] == sha256(LIVE) and rows[LIVE]["identity_source"] == "canonical_url"


def test_the_same_article_under_tracking_and_referrer_urls_is_one_id():
    canonical = f"{SITE}/world/4700108-un-gaza"
    rows = normalized(
        [
            article(url=canonical, canonical_url=canonical),
            article(url=f"{canonical}?ref=homepage", canonical_url=canonical),
            article(url=f"{canonical}/amp", canonical_url=canonical, body_text=BODY.replace("،", ",")),
        ]
    )
    assert {row["article_id"] for row in rows.values()} == {sha256(canonical)}
    assert {(row["identity_source"], row["canonical_ignored_reason"]) for row in rows.values()} == {
        ("canonical_url", None)
    }


def test_a_canonical_on_another_site_and_one_set_aside_at_extraction_say_why():
    rejected = json.dumps(
        [{"field": "canonical_url", "value": f"{SITE}/", "source": "meta", "rule": "canonical_is_site_root"}]
    )
    rows = normalized(
        [
            article(url=f"{SITE}/world/1", canonical_url="https://www.reuters.com/world/1"),
            article(
                url=f"{SITE}/world/2", canonical_url=None, rejected_values=rejected, body_text=OTHER_BODY
            ),
        ]
    )
    assert rows[f"{SITE}/world/1"]["canonical_ignored_reason"] == "canonical_on_other_site"
    assert rows[f"{SITE}/world/2"]["canonical_ignored_reason"] == "canonical_is_site_root"
    assert all(row["identity_source"] == "url" for row in rows.values())


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        warehouse.ensure_schema(connection)
        yield connection


def test_a_canonical_that_identifies_a_different_stored_article_identifies_this_one_by_its_url(conn):
    stored_url = f"{SITE}/world/4700100-kim"
    first = normalize_batch(
        pl.DataFrame([article(url=stored_url, canonical_url=LIVE)], schema=EXTRACTED_ARTICLES),
        pl.DataFrame(schema=EXTRACTED_IMAGES),
        pl.DataFrame(schema=EXTRACTED_RELATED_LINKS),
    )
    warehouse.load_articles(conn, "run-1", first.articles, first.images, first.related_links)

    def lookup(id_urls: pl.Series) -> pl.DataFrame:
        return warehouse.stored_articles_named(conn, id_urls)

    # a different article naming the same canonical the next day
    rows = normalized(
        [article(url=f"{SITE}/economy/4700200-oil", canonical_url=LIVE, title="النفط", body_text=OTHER_BODY)],
        stored=lookup,
    )
    # the stored article again, under a referrer parameter and with an edited body: the same article
    rows |= normalized(
        [article(url=f"{stored_url}?ref=x", canonical_url=LIVE, body_text=BODY + "\nوأضاف.")], lookup
    )
    other = rows[f"{SITE}/economy/4700200-oil"]
    assert (other["article_id"], other["canonical_ignored_reason"]) == (
        sha256(f"{SITE}/economy/4700200-oil"),
        "canonical_names_another_stored_article",
    )
    again = rows[f"{stored_url}?ref=x"]
    assert (again["article_id"], again["identity_source"]) == (sha256(LIVE), "canonical_url")


def test_an_old_warehouse_gains_the_new_columns(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "old.duckdb")) as connection:
        connection.execute("create schema raw")
        connection.execute("create table raw.articles (article_id varchar, url varchar)")
        warehouse.ensure_schema(connection)
        columns = {
            name
            for (name,) in connection.execute("select column_name from (describe raw.articles)").fetchall()
        }
    assert {"identity_source", "canonical_ignored_reason", "title"} <= columns
