"""The incremental marts: a day's `dbt build`, given its partition window, rewrites the articles the day loaded
and the links to them, and nothing else; and ten such days end where a full rebuild of the same raw tables does.

Raw rows are loaded through etl.lib.warehouse (the rows of tests/test_dbt_project.py); each build is a real
`dbt build` on a real DuckDB file. To show what a build reads, some tests set the raw rows of the other days
aside while it runs: a build that read them would lose those articles, one that reads its day keeps them as
built.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from etl.lib import schema, warehouse
from tests.test_dbt_project import (
    BASE,
    article,
    at,
    attempt,
    copy_warehouse,
    dbt_build,
    frame,
    image,
    link,
    marts,
    with_warehouse,
)

# a dozen dbt builds in one test: on a shared machine they outlast the default cap
pytestmark = pytest.mark.timeout(1800)
FIRST = date(2025, 3, 1)
CONTENT = ("articles", "images", "related_links")
# the marts built by article; site_daily is built by day, from every day loaded since its last build, so a build
# with other days' raw rows set aside is compared on these
ARTICLE_MARTS = ("articles", "images", "related_links", "article_revisions")
# models only, for the days before the last: the data tests run once, on the last day
MODELS_ONLY = ("--exclude", "resource_type:test", "resource_type:unit_test")


def day(number: int) -> date:
    return FIRST + timedelta(days=number - 1)


def window(on: date) -> list[str]:
    """The `--vars` the Dagster asset passes for the partition `on`."""
    start, end = on.isoformat(), (on + timedelta(days=1)).isoformat()
    return [
        "--vars",
        json.dumps({"min_date": f"{start}T00:00:00+00:00", "max_date": f"{end}T00:00:00+00:00"}),
    ]


def load(
    conn: duckdb.DuckDBPyConnection,
    articles: list[dict],
    images: list[dict] = (),
    links: list[dict] = (),
    run_id: str = "run",
) -> None:
    warehouse.load_articles(
        conn,
        run_id,
        frame(list(articles), schema.RAW_ARTICLES),
        frame(list(images), schema.RAW_IMAGES),
        frame(list(links), schema.RAW_RELATED_LINKS),
    )


def fetched(conn: duckdb.DuckDBPyConnection, on: date, paths: list[str], outcome: str = "ok") -> None:
    attempts = [attempt(path, outcome, on) for path in paths]
    warehouse.load_fetch_log(conn, on, f"run-{on}", frame(attempts, schema.FETCH_ATTEMPTS))


@contextmanager
def raw_rows_set_aside(db_path: Path, keep: date) -> Iterator[None]:
    """Move the raw content rows of every day but `keep` out of the build's reach, and back afterwards."""
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("create schema if not exists aside")
        for table in CONTENT:
            conn.execute(
                f"create table aside.{table} as select * from raw.{table} where partition_date <> ?", [keep]
            )
            conn.execute(f"delete from raw.{table} where partition_date <> ?", [keep])
    yield
    with duckdb.connect(str(db_path)) as conn:
        for table in CONTENT:
            conn.execute(f"insert into raw.{table} select * from aside.{table}")
            conn.execute(f"drop table aside.{table}")


def full_refresh_of(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, pl.DataFrame]:
    """The marts a full rebuild makes from the same raw tables (on a copy)."""
    # a new file each time: dbt-duckdb keeps the database it last opened in this process and opens it again for
    # the same path, so a second rebuild copied over the first one's file would read the first one's tables
    rebuild = Path(tempfile.mkdtemp(prefix="full-refresh-", dir=tmp_path))
    copy = copy_warehouse(db_path, rebuild / "warehouse.duckdb")
    dbt_build(copy, rebuild / "target", monkeypatch, "--full-refresh")
    return marts(copy)


def assert_marts_equal(
    incremental: dict[str, pl.DataFrame],
    full: dict[str, pl.DataFrame],
    names: tuple[str, ...] = ARTICLE_MARTS,
) -> None:
    for name in names:
        table = full[name]
        built = incremental[name].select(table.columns)
        assert built.equals(table), f"marts.{name}:\n{built}\n!=\n{table}"


def test_a_days_build_reads_the_day_and_numbers_a_revision_against_the_stored_one(tmp_path, monkeypatch):
    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    with_warehouse(
        db_path,
        lambda conn: load(
            conn,
            [
                article("A", "a", "عنوان أول", "ha1", day(1), image_count=1),
                article("B", "b", "موسكو", "hb1", day(1)),
            ],
            [image("A", "ha1", 0, "AFP", day(1))],
        ),
    )
    dbt_build(db_path, target, monkeypatch, *window(day(1)))
    # day 2: A's headline is rewritten and its photo credit changes
    with_warehouse(
        db_path,
        lambda conn: load(
            conn,
            [article("A", "a", "عنوان معدل", "ha2", day(2), image_count=1)],
            [image("A", "ha2", 0, "dpa", day(2))],
        ),
    )
    with raw_rows_set_aside(db_path, keep=day(2)):
        dbt_build(db_path, target, monkeypatch, *window(day(2)))
        built = marts(db_path)

    articles = {row["article_id"]: row for row in built["articles"].iter_rows(named=True)}
    assert (articles["A"]["revision"], articles["A"]["title"]) == (2, "عنوان معدل")
    assert articles["A"]["first_seen_at"] == at(day(1), 8)
    # B was loaded on day 1 only: the day-2 build left its row as day 1 built it
    assert articles["B"]["title"] == "موسكو"
    history = built["article_revisions"].filter(pl.col("article_id") == "A").sort("revision")
    assert history.select(
        "revision", "change_kind", "changed_parts", "previous_title", "is_latest"
    ).rows() == [
        (1, "created", [], None, False),
        (2, "multiple", ["title", "images"], "عنوان أول", True),
    ]
    assert history.get_column("valid_to").to_list() == [at(day(2), 8), None]
    assert built["images"].select("article_id", "credit").rows() == [("A", "dpa")]
    assert_marts_equal(built, full_refresh_of(db_path, tmp_path, monkeypatch))


def test_a_link_gets_its_target_the_day_the_target_arrives(tmp_path, monkeypatch):
    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    with_warehouse(
        db_path,
        lambda conn: load(
            conn,
            [article("A", "a", "عنوان أول", "ha1", day(1), related_link_count=2)],
            links=[
                link("A", "ha1", 0, f"{BASE}/b", day(1)),
                link("A", "ha1", 1, f"{BASE}/canon-c", day(1)),
            ],
        ),
    )
    dbt_build(db_path, target, monkeypatch, *window(day(1)))
    assert marts(db_path)["related_links"].get_column("target_article_id").to_list() == [None, None]

    # day 2: B arrives at the URL A links to; day 3: C arrives, identified by the canonical URL A links to
    with_warehouse(db_path, lambda conn: load(conn, [article("B", "b", "موسكو", "hb1", day(2))]))
    with raw_rows_set_aside(db_path, keep=day(2)):
        dbt_build(db_path, target, monkeypatch, *window(day(2)))
    with_warehouse(
        db_path,
        lambda conn: load(
            conn, [article("C", "c?x=1", "بيروت", "hc1", day(3), canonical_url=f"{BASE}/canon-c")]
        ),
    )
    with raw_rows_set_aside(db_path, keep=day(3)):
        dbt_build(db_path, target, monkeypatch, *window(day(3)))
        built = marts(db_path)

    links = built["related_links"].sort("position")
    assert links.select("article_id", "url", "target_article_id").rows() == [
        ("A", f"{BASE}/b", "B"),
        ("A", f"{BASE}/canon-c", "C"),
    ]
    assert_marts_equal(built, full_refresh_of(db_path, tmp_path, monkeypatch))


def four_days(conn: duckdb.DuckDBPyConnection) -> None:
    """Two articles a day for four days; each day's first article links to the next day's."""
    for number in range(1, 5):
        on = day(number)
        load(
            conn,
            [
                article(
                    f"D{number}a",
                    f"d{number}a",
                    f"عنوان {number}",
                    f"h{number}a",
                    on,
                    image_count=1,
                    related_link_count=1,
                ),
                article(f"D{number}b", f"d{number}b", f"موسكو {number}", f"h{number}b", on),
            ],
            [image(f"D{number}a", f"h{number}a", 0, "AFP", on)],
            [link(f"D{number}a", f"h{number}a", 0, f"{BASE}/d{number + 1}a", on)],
            run_id=f"run-{number}",
        )
        fetched(conn, on, [f"d{number}a", f"d{number}b"])


def test_a_backfill_of_a_past_day_changes_only_that_days_rows(tmp_path, monkeypatch):
    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    with_warehouse(db_path, four_days)
    for number in range(1, 5):
        dbt_build(db_path, target, monkeypatch, *window(day(number)), *MODELS_ONLY)
    before = marts(db_path)

    # the backfill of day 2, run on day 5, finds a page the day-2 run missed: it links to day 3's D3b and
    # replaces day 2's D2b with a new revision
    backfill = at(day(5), 10)
    with_warehouse(
        db_path,
        lambda conn: load(
            conn,
            [
                article("E", "e", "غزة", "he1", day(2), related_link_count=1, fetched_at=backfill),
                article("D2b", "d2b", "موسكو معدل", "h2b-2", day(2), fetched_at=backfill),
            ],
            links=[link("E", "he1", 0, f"{BASE}/d3b", day(2))],
            run_id="backfill",
        ),
    )
    with raw_rows_set_aside(db_path, keep=day(2)):
        dbt_build(db_path, target, monkeypatch, *window(day(2)))
        after = marts(db_path)

    day_2 = {"D2a", "D2b", "E"}
    for name in CONTENT:
        unchanged = after[name].filter(~pl.col("article_id").is_in(day_2))
        assert unchanged.equals(before[name].filter(~pl.col("article_id").is_in(day_2))), name
    articles = {row["article_id"]: row for row in after["articles"].iter_rows(named=True)}
    assert (articles["D2b"]["revision"], articles["D2b"]["title"]) == (2, "موسكو معدل")
    assert articles["E"]["title"] == "غزة"
    assert after["related_links"].filter(pl.col("article_id") == "E").get_column(
        "target_article_id"
    ).to_list() == ["D3b"]
    assert_marts_equal(after, full_refresh_of(db_path, tmp_path, monkeypatch))


def killed_day(conn: duckdb.DuckDBPyConnection) -> None:
    """Day 2 of a run that died after its load, before dbt: a new article K, with a photo and a link to A, and a
    new revision of A whose photo credit changed."""
    load(
        conn,
        [
            article("K", "k", "غزة", "hk1", day(2), image_count=1, related_link_count=1),
            article("A", "a", "عنوان معدل", "ha2", day(2), image_count=1, related_link_count=1),
        ],
        [image("K", "hk1", 0, "AFP", day(2)), image("A", "ha2", 0, "dpa", day(2))],
        [link("K", "hk1", 0, f"{BASE}/a", day(2)), link("A", "ha2", 0, f"{BASE}/b", day(2))],
        run_id="killed",
    )


def day_1_then_killed_day_2(db_path: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_warehouse(
        db_path,
        lambda conn: load(
            conn,
            [article("A", "a", "عنوان أول", "ha1", day(1), image_count=1, related_link_count=1)],
            [image("A", "ha1", 0, "AFP", day(1))],
            [link("A", "ha1", 0, f"{BASE}/b", day(1))],
        ),
    )
    dbt_build(db_path, target, monkeypatch, *window(day(1)), *MODELS_ONLY)
    with_warehouse(db_path, killed_day)


def assert_day_3_caught_up_day_2(built: dict[str, pl.DataFrame]) -> None:
    articles = {row["article_id"]: row for row in built["articles"].iter_rows(named=True)}
    assert set(articles) == {"A", "B", "K"}
    assert (articles["A"]["revision"], articles["A"]["title"]) == (2, "عنوان معدل")
    assert built["images"].select("article_id", "credit").rows() == [("A", "dpa"), ("K", "AFP")]
    links = built["related_links"].select("article_id", "url", "target_article_id").sort("article_id")
    assert links.rows() == [("A", f"{BASE}/b", "B"), ("K", f"{BASE}/a", "A")]


def test_a_day_a_killed_run_loaded_reaches_the_marts_with_the_next_days_build(tmp_path, monkeypatch):
    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    day_1_then_killed_day_2(db_path, target, monkeypatch)
    # day 3 runs normally: B arrives at the URL A links to; its build is given day 3's window only
    with_warehouse(db_path, lambda conn: load(conn, [article("B", "b", "موسكو", "hb1", day(3))]))
    dbt_build(db_path, target, monkeypatch, *window(day(3)))
    built = marts(db_path)
    assert_day_3_caught_up_day_2(built)
    assert_marts_equal(built, full_refresh_of(db_path, tmp_path, monkeypatch), (*ARTICLE_MARTS, "site_daily"))


def test_a_build_killed_halfway_is_repaired_by_the_next_days_build(tmp_path, monkeypatch):
    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    day_1_then_killed_day_2(db_path, target, monkeypatch)
    # day 2's build dies having committed its first models: revisions and articles hold K, images and links
    # do not
    dbt_build(
        db_path,
        target,
        monkeypatch,
        *window(day(2)),
        "--select",
        "int_article_revisions_numbered",
        "int_articles_touched",
        "articles",
        *MODELS_ONLY,
    )
    half_built = marts(db_path)
    assert "K" in half_built["articles"].get_column("article_id").to_list()
    assert "K" not in half_built["images"].get_column("article_id").to_list()
    with_warehouse(db_path, lambda conn: load(conn, [article("B", "b", "موسكو", "hb1", day(3))]))
    dbt_build(db_path, target, monkeypatch, *window(day(3)))
    built = marts(db_path)
    assert_day_3_caught_up_day_2(built)
    assert_marts_equal(built, full_refresh_of(db_path, tmp_path, monkeypatch), (*ARTICLE_MARTS, "site_daily"))


def ten_days_of_news(number: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Day `number`'s loaded rows: two new articles, and the revisits the story of ten days needs."""
    on = day(number)
    a, b = f"N{number}a", f"N{number}b"
    articles = [
        article(a, f"n{number}a", f"عنوان {number}", f"h{a}", on, image_count=2, related_link_count=3),
        # the b articles are identified by their canonical URL, which the links name
        article(b, f"n{number}b?ref=x", f"موسكو {number}", f"h{b}", on, canonical_url=f"{BASE}/n{number}b"),
    ]
    images = [image(a, f"h{a}", 0, "AFP", on), image(a, f"h{a}", 1, "dpa", on)]
    links = [
        link(a, f"h{a}", 0, f"{BASE}/n{number - 1}a", on),  # yesterday's: resolves at once
        link(a, f"h{a}", 1, f"{BASE}/n{number + 1}b", on),  # tomorrow's, by canonical URL: resolves tomorrow
        link(a, f"h{a}", 2, "https://elsewhere.test/x", on),
    ]
    if number == 3:  # N1a rewritten: new headline, one photo dropped, one link dropped
        articles.append(
            article("N1a", "n1a", "عنوان معدل", "hN1a-2", on, image_count=1, related_link_count=1)
        )
        images.append(image("N1a", "hN1a-2", 0, "AFP", on) | {"caption": "صورة جديدة"})
        links.append(link("N1a", "hN1a-2", 0, f"{BASE}/n2b", on))
    if number == 5:  # N1a changed back: its first content again, whose images and links are stored already
        articles.append(article("N1a", "n1a", "عنوان 1", "hN1a", on, image_count=2, related_link_count=3))
    if number == 6:  # N2b fetched again with the same content: no new revision
        articles.append(article("N2b", "n2b?ref=x", "موسكو 2", "hN2b", on, canonical_url=f"{BASE}/n2b"))
    return articles, images, links


def test_ten_incremental_days_equal_a_full_rebuild_row_for_row(tmp_path, monkeypatch):
    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"

    def run_day(number: int, *, on: date | None = None) -> None:
        on = on or day(number)
        articles, images, links = ten_days_of_news(number)

        def load_day(conn: duckdb.DuckDBPyConnection) -> None:
            load(conn, articles, images, links, run_id=f"run-{number}")
            fetched(conn, on, sorted({row["url"].removeprefix(f"{BASE}/") for row in articles}))
            if number == 7:  # N3a confirmed unchanged by a 304: no raw row, a later last fetch
                fetched(conn, on, ["n3a"], outcome="not_modified")
            if number == 8:  # a page that failed validation: quarantined, never in the marts
                bad = article("Q", "q", "", "hq", on) | {"failed_expectations": ["body_min_length"]}
                warehouse.load_quarantine(
                    conn,
                    "articles",
                    pl.DataFrame(
                        [bad], schema={**schema.RAW_ARTICLES, "failed_expectations": schema.STRINGS}
                    ),
                    f"run-{number}",
                )

        with_warehouse(db_path, load_day)
        dbt_build(db_path, target, monkeypatch, *window(on), *MODELS_ONLY)

    for number in range(1, 11):
        run_day(number)
        if number == 8:
            run_day(8)  # the day run again: nothing new to load, the same marts
    # a backfill of day 4, ten days on: the day's rows again (already loaded), rebuilt alone
    dbt_build(db_path, target, monkeypatch, *window(day(4)))
    incremental = marts(db_path)

    articles = {row["article_id"]: row for row in incremental["articles"].iter_rows(named=True)}
    assert "Q" not in articles
    assert (articles["N1a"]["revision"], articles["N1a"]["title"]) == (3, "عنوان 1")
    assert articles["N2b"]["revision"] == 1 and articles["N3a"]["last_fetched_at"] == at(day(7), 9)
    assert incremental["images"].filter(pl.col("article_id") == "N1a").height == 2
    tomorrow = incremental["related_links"].filter(pl.col("url").str.contains("/n[0-9]+b$"))
    targets = dict(tomorrow.select("article_id", "target_article_id").iter_rows())
    # each day's link to the next day's article resolved the next day; N10a's waits for day 11
    assert targets == {f"N{n}a": f"N{n + 1}b" for n in range(1, 10)} | {"N10a": None}
    assert_marts_equal(
        incremental, full_refresh_of(db_path, tmp_path, monkeypatch), (*ARTICLE_MARTS, "site_daily")
    )


def test_the_dbt_asset_builds_its_partitions_day_and_what_a_killed_run_loaded(tmp_path):
    from etl.defs.resources import AkhbarHome
    from etl.defs.transform.dbt import news_dbt_models
    from etl.defs.transform.project import DBT_EXECUTABLE, dbt_project

    db_path = tmp_path / "warehouse.duckdb"
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text("sites: []\n", encoding="utf-8")
    resources = {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        "duckdb": DuckDBResource(database=str(db_path)),
        "akhbar": AkhbarHome(home=str(tmp_path), sites_file=str(sites_file)),
    }

    def materialize(on: date) -> None:
        result = dg.materialize([news_dbt_models], partition_key=on.isoformat(), resources=resources)
        assert result.success

    def touched() -> list[str]:
        with duckdb.connect(str(db_path)) as conn:
            rows = conn.sql("select distinct article_id from intermediate.int_articles_touched order by 1")
            return [article_id for (article_id,) in rows.fetchall()]

    with_warehouse(db_path, lambda conn: load(conn, [article("A", "a", "عنوان", "ha", day(1))]))
    materialize(day(1))
    assert touched() == ["A"]
    # days 2 and 3 are both loaded before the build of day 2 (day 3's run died before its build): day 2's
    # build catches C up with its own day
    with_warehouse(
        db_path,
        lambda conn: load(
            conn, [article("B", "b", "موسكو", "hb", day(2)), article("C", "c", "غزة", "hc", day(3))]
        ),
    )
    materialize(day(2))
    assert touched() == ["B", "C"]
    assert marts(db_path)["articles"].get_column("article_id").to_list() == ["A", "B", "C"]
    # nothing loaded since: day 3's build rewrites day 3's articles alone
    materialize(day(3))
    assert touched() == ["C"]
    assert marts(db_path)["articles"].get_column("article_id").to_list() == ["A", "B", "C"]


def test_a_days_build_tests_its_articles_and_the_weekly_job_tests_every_row(tmp_path, monkeypatch):
    from etl.defs.resources import AkhbarHome
    from etl.defs.transform.full_checks import weekly_full_checks
    from etl.defs.transform.project import DBT_EXECUTABLE, dbt_project

    db_path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    with_warehouse(db_path, lambda conn: load(conn, [article("A", "a", "عنوان", "ha", day(1))]))
    dbt_build(db_path, target, monkeypatch, *window(day(1)), *MODELS_ONLY)
    # a row changed behind the builds' back: day 1's article appears twice in the mart
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("insert into marts.articles select * from marts.articles where article_id = 'A'")
    with_warehouse(db_path, lambda conn: load(conn, [article("B", "b", "موسكو", "hb", day(2))]))
    dbt_build(db_path, target, monkeypatch, *window(day(2)))  # day 2's tests see day 2's article: they pass

    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text("sites: []\n", encoding="utf-8")
    # the job's dbt is a process of its own, and the builds above ran in this one, which still holds the file
    checked = copy_warehouse(db_path, tmp_path / "checked.duckdb")
    result = weekly_full_checks.execute_in_process(
        resources={
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
            "duckdb": DuckDBResource(database=str(checked)),
            "akhbar": AkhbarHome(home=str(tmp_path), sites_file=str(sites_file)),
        },
        raise_on_error=False,
    )
    assert not result.success
    failure = result.failure_data_for_node("dbt_test_whole_tables").user_failure_data
    assert any("unique_articles_article_id" in line for line in failure.metadata["failed"].value)
