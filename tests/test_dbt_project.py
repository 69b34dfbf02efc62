"""The dbt project, built with `dbt build` on a real DuckDB file loaded through etl.lib.warehouse.load.

Day 1 loads three articles that link to each other, a fetch log with retries and failures, discovered URLs and
a quarantined row; day 2 rewrites one headline, re-fetches one article unchanged and confirms one with a 304.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt.cli.main import dbtRunner

from etl.lib import schema
from etl.lib.warehouse import load as warehouse

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
DAY_1, DAY_2 = date(2025, 1, 1), date(2025, 1, 2)
SITE = "aawsat"
BASE = "https://aawsat.test"

ARTICLES_CONTRACT = [
    "article_id", "url", "canonical_url", "identity_source", "canonical_ignored_reason", "site", "title", "description", "authors", "published_at",
    "modified_at", "language", "section", "tags", "body_text", "word_count", "image_count",
    "related_link_count", "content_hash", "revision", "first_seen_at", "last_fetched_at",
]  # fmt: skip
IMAGES_CONTRACT = [
    "image_id", "article_id", "position", "url", "caption", "alt_text", "credit_raw", "credit", "is_lead",
    "width", "height",
]  # fmt: skip
RELATED_LINKS_CONTRACT = [
    "link_id", "article_id", "position", "url", "title", "section", "summary", "image_url", "image_caption",
    "byline", "byline_source", "byline_place", "target_article_id",
]  # fmt: skip


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def article(article_id: str, path: str, title: str, content_hash: str, day: date, **extra: object) -> dict:
    return {
        "article_id": article_id,
        "url": f"{BASE}/{path}",
        "canonical_url": extra.pop("canonical_url", f"{BASE}/{path}"),
        "identity_source": extra.pop("identity_source", "canonical_url"),
        "site": SITE,
        "title": title,
        "description": None,
        "authors": ["براكريتي غوبتا"],
        "language": "ar",
        "section": "أوروبا",
        "tags": ["روسيا"],
        "body_text": extra.pop("body_text", "ذهب الرئيس إلى موسكو للمحادثات"),
        "content_hash": content_hash,
        "near_duplicate_cluster_id": None,
        "archive_key": "0" * 64,
        "field_sources": "{}",
        "word_count": 5,
        "image_count": extra.pop("image_count", 0),
        "related_link_count": extra.pop("related_link_count", 0),
        "partition_date": day,
        "published_at": at(DAY_1, 6),
        "modified_at": None,
        "fetched_at": at(day, 8),
        **extra,
    }


def image(article_id: str, content_hash: str, position: int, credit: str, day: date) -> dict:
    return {
        "image_id": f"{article_id}-img{position}",
        "article_id": article_id,
        "content_hash": content_hash,
        "url": f"{BASE}/photos/{article_id}-{position}.jpg",
        "caption": "الرئيس في موسكو",
        "alt_text": None,
        "credit_raw": {"AFP": "أ.ف.ب", "dpa": "د.ب.أ"}[credit],
        "credit": credit,
        "position": position,
        "width": 800,
        "height": 600,
        "is_lead": position == 0,
        "is_archive_photo": False,
        "partition_date": day,
    }


def link(article_id: str, content_hash: str, position: int, url: str, day: date) -> dict:
    return {
        "link_id": f"{article_id}-link{position}",
        "article_id": article_id,
        "content_hash": content_hash,
        "url": url,
        "title": "عنوان مرتبط",
        "section": "أوروبا",
        "summary": None,
        "image_url": None,
        "image_caption": None,
        "byline": "«الشرق الأوسط» (موسكو)",
        "byline_source": "الشرق الأوسط",
        "byline_kind": "organisation",
        "byline_place": "موسكو",
        "position": position,
        "partition_date": day,
    }


def attempt(path: str, outcome: str, day: date, number: int = 1, is_final: bool = True) -> dict:
    ok = outcome == "ok"
    return {
        "url": f"{BASE}/{path}",
        "site": SITE,
        "final_url": f"{BASE}/{path}" if ok else None,
        "outcome": outcome,
        "content_type": "text/html" if ok else None,
        "encoding": "utf-8" if ok else None,
        "archive_key": "0" * 64 if ok else None,
        "body_sha256": "0" * 64 if ok else None,
        "etag": f'"{path}"' if ok else None,
        "last_modified": None,
        "error": None if ok or outcome == "not_modified" else f"{outcome} on {path}",
        "attempt": number,
        "status": {"ok": 200, "not_modified": 304, "http_error": 500}.get(outcome),
        "bytes_received": 100,
        "bytes_decoded": 100,
        "elapsed_ms": 10,
        "is_final": is_final,
        "fetched_at": at(day, 8 + number),
    }


def discovered(path: str, source: str) -> dict:
    return {
        "url": f"{BASE}/{path}",
        "site": SITE,
        "source_kind": "feed",
        "source_url": f"{BASE}/{source}",
        "title": None,
        "keywords": [],
        "published_at": None,
        "lastmod": None,
    }


def frame(rows: list[dict], columns: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns)


def load_day_1(conn: duckdb.DuckDBPyConnection) -> None:
    urls = ["a1", "a2", "a3?x=1", "a4", "a5"]
    warehouse.load_discovered(
        conn,
        DAY_1,
        "run-1",
        frame(
            [discovered(path, "feed") for path in urls] + [discovered("a1", "sitemap.xml")],
            schema.DISCOVERED_URLS,
        ),
    )
    attempts = [
        attempt("a1", "ok", DAY_1),
        attempt("a2", "ok", DAY_1),
        attempt("a3?x=1", "timeout", DAY_1, number=1, is_final=False),
        attempt("a3?x=1", "ok", DAY_1, number=2),
        attempt("a4", "timeout", DAY_1),
        attempt("a5", "http_error", DAY_1),
    ]
    warehouse.load_fetch_log(conn, DAY_1, "run-1", frame(attempts, schema.FETCH_ATTEMPTS))
    warehouse.load_articles(conn, "run-1", *day_1_content())
    bad = article("A6", "a6", "", "h6", DAY_1) | {"failed_expectations": ["body_min_length"]}
    warehouse.load_quarantine(
        conn,
        "articles",
        pl.DataFrame([bad], schema={**schema.RAW_ARTICLES, "failed_expectations": schema.STRINGS}),
        "run-1",
    )


def day_1_content() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    articles = [
        article("A1", "a1", "عنوان أول", "h1", DAY_1, image_count=2, related_link_count=3),
        article("A2", "a2", "الاقتصاد", "h2", DAY_1),
        article("A3", "a3?x=1", "موسكو", "h3", DAY_1, canonical_url=f"{BASE}/canon-a3"),
    ]
    images = [image("A1", "h1", 0, "AFP", DAY_1), image("A1", "h1", 1, "dpa", DAY_1)]
    links = [
        link("A1", "h1", 0, f"{BASE}/a2", DAY_1),
        link("A1", "h1", 1, f"{BASE}/canon-a3", DAY_1),
        link("A1", "h1", 2, "https://elsewhere.test/x", DAY_1),
    ]
    return (
        frame(articles, schema.RAW_ARTICLES),
        frame(images, schema.RAW_IMAGES),
        frame(links, schema.RAW_RELATED_LINKS),
    )


def day_2_content() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    articles = [
        article("A1", "a1", "عنوان معدل", "h1b", DAY_2, image_count=2, related_link_count=3),
        article("A2", "a2", "الاقتصاد", "h2", DAY_2),
    ]
    images = [image("A1", "h1b", 0, "AFP", DAY_2), image("A1", "h1b", 1, "dpa", DAY_2)]
    links = [
        link("A1", "h1b", 0, f"{BASE}/a2", DAY_2),
        link("A1", "h1b", 1, f"{BASE}/canon-a3", DAY_2),
        link("A1", "h1b", 2, "https://elsewhere.test/x", DAY_2),
    ]
    return (
        frame(articles, schema.RAW_ARTICLES),
        frame(images, schema.RAW_IMAGES),
        frame(links, schema.RAW_RELATED_LINKS),
    )


def load_day_2(conn: duckdb.DuckDBPyConnection, *, killed_after_articles: bool = False) -> None:
    warehouse.load_discovered(conn, DAY_2, "run-2", frame([discovered("a1", "feed")], schema.DISCOVERED_URLS))
    warehouse.load_articles(conn, "run-2", *day_2_content())
    if killed_after_articles:
        return
    attempts = [
        attempt("a1", "ok", DAY_2),
        attempt("a2", "ok", DAY_2),
        attempt("a3?x=1", "not_modified", DAY_2),
    ]
    warehouse.load_fetch_log(conn, DAY_2, "run-2", frame(attempts, schema.FETCH_ATTEMPTS))


def dbt_build(db_path: Path, target_dir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(db_path))
    args = [
        "build",
        *extra,
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(target_dir),
    ]
    result = dbtRunner().invoke([*args, "--log-path", str(target_dir), "--quiet"])
    failures = [
        f"{r.node.name}: {r.status} {r.message}"
        for r in (result.result.results if result.result else [])
        if str(r.status) not in ("success", "pass")
    ]
    assert result.success and not failures, failures or result.exception


def with_warehouse(db_path: Path, *steps) -> None:
    # dbt opens the file itself, so the test's connection is closed before every build
    with duckdb.connect(str(db_path)) as conn:
        warehouse.ensure_schema(conn)
        for step in steps:
            step(conn)


def copy_warehouse(source: Path, target: Path) -> Path:
    # dbt ran in this process and may still hold the file open: checkpoint so the copy has every commit
    with duckdb.connect(str(source)) as conn:
        conn.execute("checkpoint")
    target.write_bytes(source.read_bytes())
    return target


def marts(db_path: Path) -> dict[str, pl.DataFrame]:
    load_columns = {"article_revisions": ["loaded_at"], "site_daily": ["last_loaded_at"]}
    keys = {
        "articles": "article_id",
        "images": "image_id",
        "related_links": "link_id",
        "article_revisions": "revision_id",
        "site_daily": "site_day_id",
    }
    with duckdb.connect(str(db_path)) as conn:
        return {
            name: conn.sql(f"select * from marts.{name}").pl().drop(load_columns.get(name, [])).sort(key)
            for name, key in keys.items()
        }


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Day 1 loaded and built, then day 2 loaded and built: the uninterrupted run."""
    tmp = tmp_path_factory.mktemp("dbt")
    db_path = tmp / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as monkeypatch:
        with_warehouse(db_path, load_day_1)
        dbt_build(db_path, tmp / "target", monkeypatch)
        with_warehouse(db_path, load_day_2)
        dbt_build(db_path, tmp / "target", monkeypatch)
    yield db_path


def test_marts_match_the_analysts_contract(two_days):
    built = marts(two_days)
    for name, contract in [
        ("articles", ARTICLES_CONTRACT),
        ("images", IMAGES_CONTRACT),
        ("related_links", RELATED_LINKS_CONTRACT),
    ]:
        missing = set(contract) - set(built[name].columns)
        assert not missing, f"marts.{name} lacks {missing}"
    types = built["articles"].schema
    assert (types["revision"], types["word_count"], types["authors"], types["tags"]) == (
        pl.Int32,
        pl.Int32,
        pl.List(pl.String),
        pl.List(pl.String),
    )
    assert isinstance(types["published_at"], pl.Datetime) and types["published_at"].time_zone


def test_every_mart_enforces_a_contract_naming_each_built_column_and_its_type(two_days):
    manifest = json.loads((two_days.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    mart_models = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
    }
    with duckdb.connect(str(two_days)) as conn:
        for name, node in sorted(mart_models.items()):
            assert node["config"]["contract"]["enforced"], f"marts.{name} has no enforced contract"
            built = {
                column: kind.lower() for column, kind, *_ in conn.sql(f"describe marts.{name}").fetchall()
            }
            declared = {column: spec.get("data_type") for column, spec in node["columns"].items()}
            assert declared == built, f"marts.{name}: the contract and the built table differ"
    assert {"articles", "images", "related_links"} <= mart_models.keys()


def test_changed_headline_is_revision_2_of_kind_title(two_days):
    built = marts(two_days)
    a1 = built["articles"].filter(pl.col("article_id") == "A1").row(0, named=True)
    assert (a1["revision"], a1["title"], a1["content_hash"]) == (2, "عنوان معدل", "h1b")
    history = built["article_revisions"].filter(pl.col("article_id") == "A1").sort("revision")
    assert history.select("revision", "change_kind", "previous_title", "is_latest").rows() == [
        (1, "created", None, False),
        (2, "title", "عنوان أول", True),
    ]
    assert history.get_column("valid_to").to_list() == [at(DAY_2, 8), None]


def test_unchanged_refetch_is_no_new_revision_but_refreshes_last_fetched_at(two_days):
    articles = marts(two_days)["articles"]
    rows = {r["article_id"]: r for r in articles.iter_rows(named=True)}
    assert rows["A2"]["revision"] == 1
    assert rows["A2"]["last_fetched_at"] == at(DAY_2, 9)
    # A3 was only confirmed by a 304 on day 2; the page state still moves its last fetch forward
    assert rows["A3"]["revision"] == 1
    assert rows["A3"]["last_fetched_at"] == at(DAY_2, 9)
    assert rows["A3"]["first_seen_at"] == at(DAY_1, 8)


def test_images_and_links_are_those_of_the_latest_revision(two_days):
    built = marts(two_days)
    images = built["images"].filter(pl.col("article_id") == "A1")
    assert images.select("position", "credit", "is_lead").rows() == [(0, "AFP", True), (1, "dpa", False)]
    assert built["related_links"].height == 3


def test_related_links_resolve_to_articles_in_the_warehouse(two_days):
    links = marts(two_days)["related_links"].sort("position")
    assert links.select("url", "target_article_id").rows() == [
        (f"{BASE}/a2", "A2"),  # by fetched URL
        (f"{BASE}/canon-a3", "A3"),  # by canonical URL
        ("https://elsewhere.test/x", None),
    ]


def test_site_daily_counts_the_funnel(two_days):
    day_1 = marts(two_days)["site_daily"].filter(pl.col("partition_date") == DAY_1).row(0, named=True)
    assert {
        k: day_1[k] for k in ("discovered_urls", "fetch_attempts", "fetched_urls", "fetched_ok_urls")
    } == {
        "discovered_urls": 5,
        "fetch_attempts": 6,
        "fetched_urls": 5,
        "fetched_ok_urls": 3,
    }
    assert (day_1["failed_urls"], day_1["loaded_articles"], day_1["quarantined_articles"]) == (2, 3, 1)
    assert day_1["extracted_articles"] == 4
    assert dict(day_1["failures_by_outcome"]) == {"http_error": 1, "timeout": 1}


def test_rebuilding_after_rerunning_a_day_changes_no_mart(two_days, tmp_path, monkeypatch):
    before = marts(two_days)
    copy = copy_warehouse(two_days, tmp_path / "warehouse.duckdb")
    with_warehouse(copy, load_day_2)
    dbt_build(copy, tmp_path / "target", monkeypatch)
    after = marts(copy)
    for name, table in before.items():
        assert after[name].equals(table), name


def test_run_killed_before_dbt_then_rerun_ends_like_an_uninterrupted_run(two_days, tmp_path, monkeypatch):
    db_path = tmp_path / "warehouse.duckdb"
    with_warehouse(db_path, load_day_1)
    dbt_build(db_path, tmp_path / "target", monkeypatch)
    # the day-2 run dies after its article load, before the fetch log and before dbt
    with_warehouse(db_path, lambda conn: load_day_2(conn, killed_after_articles=True))
    with_warehouse(db_path, load_day_2)
    dbt_build(db_path, tmp_path / "target", monkeypatch)
    uninterrupted, rerun = marts(two_days), marts(db_path)
    for name, table in uninterrupted.items():
        assert rerun[name].equals(table), name


def test_incremental_marts_equal_a_full_refresh(two_days, tmp_path, monkeypatch):
    copy = copy_warehouse(two_days, tmp_path / "warehouse.duckdb")
    dbt_build(copy, tmp_path / "target", monkeypatch, "--full-refresh")
    incremental, full = marts(two_days), marts(copy)
    for name, table in incremental.items():
        assert full[name].equals(table), name
