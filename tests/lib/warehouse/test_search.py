"""Search in the published copy: Arabic words meet their definite and prefixed forms, on any connection."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from etl.lib.warehouse import published as publish
from tests.lib.warehouse.test_published import build_warehouse

REPO = Path(__file__).resolve().parents[3]
QUERY_05 = REPO / "bench" / "queries" / "05_search_arabic_word.sql"

# modelled on the seed pages: a definite plural in one title, the bare plural in another body
ARTICLES = {
    "talks": ("بوتين وكيم يبدآن المحادثات في موسكو", "استمرت المحادثات ساعتين في الكرملين."),
    "bare": ("وفد ياباني في بكين", "قال الوفد إن محادثات جديدة ستبدأ الأسبوع المقبل."),
    "oil": ("أسعار النفط ترتفع", "ارتفعت أسعار النفط في الأسواق العالمية."),
    "prefixed": ("للمحادثة بقية", "وبالمحادثات تنتهي الأزمة."),
}


@pytest.fixture
def published(tmp_path: Path) -> Path:
    build_warehouse(tmp_path / "warehouse.duckdb", titles=ARTICLES)
    publish.publish(tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb")
    return tmp_path / "published.duckdb"


@pytest.mark.parametrize("word", ["المحادثات", "محادثات", "بالمحادثات", "المحادثة"])
def test_a_word_meets_its_definite_and_prefixed_forms(published, word):
    with publish.connect_published(published) as conn:
        found = set(publish.search_articles(conn, word).get_column("article_id").to_list())
    assert found == {"talks", "bare", "prefixed"}


def _plain_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """What an analyst's DuckDB client opens: nothing loaded, and no extension fetched from the network."""
    return duckdb.connect(
        str(path),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )


def test_query_05_runs_on_a_plain_read_only_connection_and_finds_the_bare_word_too(published):
    with _plain_read_only(published) as conn:
        rows = conn.sql(QUERY_05.read_text(encoding="utf-8")).fetchall()
    assert {row[0] for row in rows} == {"talks", "bare", "prefixed"}


def test_the_copy_says_which_schemas_are_stable_and_which_internal(published):
    with _plain_read_only(published) as conn:
        stability = dict(conn.sql("select schema_name, stability from published_schemas").fetchall())
        schemas = {row[0] for row in conn.sql("select schema_name from duckdb_schemas()").fetchall()}
    assert stability["marts"] == stability["search"] == "stable"
    assert stability["raw"] == stability["quarantine"] == stability[publish.SEARCH_INDEX_SCHEMA] == "internal"
    # every schema an analyst sees in the copy is described
    assert schemas - {"main", "information_schema", "pg_catalog"} <= set(stability)


def test_column_comments_of_the_warehouse_reach_the_published_copy(tmp_path):
    warehouse_path = tmp_path / "warehouse.duckdb"
    build_warehouse(warehouse_path, titles=ARTICLES)
    with duckdb.connect(str(warehouse_path)) as conn:
        conn.execute("comment on table marts.articles is 'One row per article.'")
        conn.execute("comment on column marts.articles.title is 'The headline, as printed.'")
    publish.publish(warehouse_path, tmp_path / "published.duckdb")
    with _plain_read_only(tmp_path / "published.duckdb") as conn:
        table = conn.sql(
            "select comment from duckdb_views() where schema_name = 'marts' and view_name = 'articles'"
        ).fetchone()[0]
        column = conn.sql(
            "select comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'articles' and column_name = 'title'"
        ).fetchone()[0]
    assert (table, column) == ("One row per article.", "The headline, as printed.")


def test_scores_are_fts_s_bm25_over_all_articles_whichever_months_hold_them(tmp_path):
    # fts's own `match_bm25` gave these over ARTICLES (the index publishing built before the monthly one)
    fts_scores = {"prefixed": 0.244598, "talks": 0.20223, "bare": 0.138105}
    scores = {}
    for layout, months in {"one month": [1, 1, 1, 1], "three months": [1, 2, 2, 3]}.items():
        warehouse_path = tmp_path / f"{layout}.duckdb"
        build_warehouse(warehouse_path, titles=ARTICLES)
        with duckdb.connect(str(warehouse_path)) as conn:
            conn.execute("alter table marts.articles add column first_seen_at timestamptz")
            for article_id, month in zip(ARTICLES, months, strict=True):
                conn.execute(
                    "update marts.articles set first_seen_at = make_timestamptz(2025, ?, 1, 0, 0, 0) "
                    "where article_id = ?",
                    [month, article_id],
                )
        published = tmp_path / f"{layout}-published.duckdb"
        publish.publish(warehouse_path, published)
        with publish.connect_published(published) as conn:
            months_indexed = conn.sql(
                "select count(distinct month) from published_parts where table_name = 'search_index.postings'"
            ).fetchone()[0]
            assert months_indexed == len(set(months))
            found = publish.search_articles(conn, "المحادثات")
        scores[layout] = {row[0]: round(row[4], 6) for row in found.iter_rows()}
    assert scores["one month"] == scores["three months"] == fts_scores


def _scan_projections(conn: duckdb.DuckDBPyConnection, sql: str) -> list[set[str]]:
    """The columns each Parquet scan of `sql`'s physical plan reads (DuckDB's own EXPLAIN, as JSON)."""
    plan = json.loads(conn.sql(f"explain (format json) {sql}").fetchall()[0][1])
    scans: list[set[str]] = []

    def walk(node: dict) -> None:
        projections = node.get("extra_info", {}).get("Projections")
        if projections is not None and node.get("extra_info", {}).get("Function") == "READ_PARQUET":
            scans.append({projections} if isinstance(projections, str) else set(projections))
        for child in node.get("children", []):
            walk(child)

    for root in plan:
        walk(root)
    return scans


def test_query_05_reads_only_the_article_columns_it_names_not_every_body(published):
    # a query joining search.match to marts.articles once read every column of every article (body_text
    # included) because the macro's materialized CTE kept the view's columns from being pruned: 5x slower
    with _plain_read_only(published) as conn:
        scans = _scan_projections(conn, QUERY_05.read_text(encoding="utf-8"))
    assert scans, "the plan reads Parquet parts"
    assert all("body_text" not in columns for columns in scans)
