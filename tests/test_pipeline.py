"""End to end: `akhbar run` against the sample site on loopback, then the marts analysts read."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo import expected
from tests.conftest import run_akhbar

DAY = "2024-10-28"
# two runs in the first test's setup: on a shared machine they outlast the default cap
pytestmark = pytest.mark.timeout(1200)
MARTS = ("articles", "images", "related_links")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory):
    """One `akhbar run` over the sample site, then a second run of the same day."""
    from demo.server import serve_sample_site, sites_yaml

    home = tmp_path_factory.mktemp("home")
    with serve_sample_site() as site:
        sites_file = home / "sites.yaml"
        sites_file.write_text(sites_yaml(site.base_url), encoding="utf-8")
        first = run_akhbar("run", "--sites", str(sites_file), "--date", DAY, home=home)
        counts_after_first = _mart_counts(home)
        requests_before_second = len(site.request_log)
        second = run_akhbar("run", "--sites", str(sites_file), "--date", DAY, home=home)
        second_requests = site.request_log[requests_before_second:]
        yield {
            "home": home,
            "truth": expected(site.base_url),
            "first": first,
            "second": second,
            "counts_after_first": counts_after_first,
            "second_requests": second_requests,
        }


def _published(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "published.duckdb"), read_only=True)


def _mart_counts(home: Path) -> dict[str, int]:
    with _published(home) as conn:
        return {name: conn.sql(f"select count(*) from marts.{name}").fetchone()[0] for name in MARTS}


def test_run_succeeds_and_prints_the_stage_summary(first_run):
    result = first_run["first"]
    assert result.returncode == 0, result.stdout + result.stderr
    for label in (
        "discovered",
        "fetched",
        "extracted",
        "quarantined",
        "loaded articles",
        "marts.articles rows",
    ):
        assert label in result.stdout
    assert "published.duckdb" in result.stdout


def test_articles_mart_holds_every_sample_article_with_its_exact_title(first_run):
    truth = first_run["truth"]
    with _published(first_run["home"]) as conn:
        rows = dict(conn.sql("select url, title from marts.articles").fetchall())
    assert rows == {page["url"]: page["title"] for page in truth["pages"]}


def test_body_is_clean_of_widgets_footer_most_read_and_related_cards(first_run):
    with _published(first_run["home"]) as conn:
        bodies = dict(conn.sql("select url, body_text from marts.articles").fetchall())
    for page in first_run["truth"]["pages"]:
        body = bodies[page["url"]]
        for paragraph in page["body_paragraphs"]:
            assert paragraph in body, (page["path"], paragraph[:40])
        for excluded in page["body_excludes"]:
            assert excluded not in body, (page["path"], excluded)
        for card in page["related"]:
            assert card["title"] not in body and card["summary"] not in body


def test_images_mart_has_each_photo_with_caption_split_from_its_credit(first_run):
    with _published(first_run["home"]) as conn:
        got = {
            (article_url, position): (url, caption, credit_raw, credit, is_lead)
            for article_url, position, url, caption, credit_raw, credit, is_lead in conn.sql(
                "select a.url, i.position, i.url, i.caption, i.credit_raw, i.credit, i.is_lead "
                "from marts.images i join marts.articles a using (article_id)"
            ).fetchall()
        }
    want = {
        (page["url"], image["position"]): (
            image["url"],
            image["caption"],
            image["credit_raw"],
            image["credit"],
            image["is_lead"],
        )
        for page in first_run["truth"]["pages"]
        for image in page["images"]
    }
    assert got == want


def test_related_links_mart_has_each_card_with_section_title_and_byline_place(first_run):
    with _published(first_run["home"]) as conn:
        got = {
            (article_url, position): (url, section, title, byline_source, byline_place, has_target)
            for article_url, position, url, section, title, byline_source, byline_place, has_target in conn.sql(
                "select a.url, r.position, r.url, r.section, r.title, r.byline_source, r.byline_place, "
                "r.target_article_id is not null "
                "from marts.related_links r join marts.articles a using (article_id)"
            ).fetchall()
        }
    want = {
        (page["url"], card["position"]): (
            card["url"],
            card["section"],
            card["title"],
            card["byline_source"],
            card["byline_place"],
            card["target_path"] is not None,
        )
        for page in first_run["truth"]["pages"]
        for card in page["related"]
    }
    assert got == want


def test_second_run_of_the_same_day_is_conditional_and_changes_no_mart(first_run):
    second = first_run["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    assert _mart_counts(first_run["home"]) == first_run["counts_after_first"]
    article_paths = {page["path"] for page in first_run["truth"]["pages"]}
    article_requests = [
        (path, status) for _, path, status in first_run["second_requests"] if path in article_paths
    ]
    assert article_requests, "the second run fetched no article at all"
    assert {status for _, status in article_requests} == {304}


def test_the_run_prints_dbt_s_one_line_summary_not_its_log(first_run):
    out = first_run["first"].stdout
    assert "dbt build: " in out and "error 0" in out
    for dbt_log_line in ("Running with dbt=", "START sql", "Finished running"):
        assert dbt_log_line not in out
    assert len(out.splitlines()) < 60, out


def test_a_run_with_nothing_new_skips_dbt_without_check_warnings(first_run):
    second = first_run["second"]
    assert "Blocking asset check" not in second.stdout + second.stderr


def test_the_run_ends_with_commands_a_fresh_machine_has(first_run):
    out = first_run["first"].stdout
    assert "duckdb -readonly" not in out
    assert "akhbar sql --home" in out


def test_akhbar_sql_runs_query_05_on_the_published_copy_and_finds_the_word(first_run):
    query = Path(__file__).resolve().parents[1] / "bench" / "queries" / "05_search_arabic_word.sql"
    result = run_akhbar("sql", "--file", str(query), home=first_run["home"])
    assert result.returncode == 0, result.stdout + result.stderr
    titles = {page["title"] for page in first_run["truth"]["pages"]}
    assert any(title in result.stdout for title in titles), result.stdout


def test_every_mart_column_carries_its_description_as_a_comment(first_run):
    import json

    manifest = json.loads((Path(__file__).resolve().parents[1] / "dbt/target/manifest.json").read_text())
    documented = {
        (node["name"], column): spec["description"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
        for column, spec in node["columns"].items()
    }
    with _published(first_run["home"]) as conn:
        comments = {
            (table, column): comment
            for table, column, comment in conn.sql(
                "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'"
            ).fetchall()
        }
    assert documented and set(documented) <= set(comments)
    assert {key: comments[key] for key in documented} == documented


def test_the_dbt_step_recorded_each_mart_s_row_count_and_built_column_types(first_run):
    home = first_run["home"]
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance, _published(home) as conn:
        for mart in MARTS:
            event = instance.get_latest_materialization_event(dg.AssetKey(["marts", mart]))
            metadata = event.asset_materialization.metadata
            assert "dagster/row_count" in metadata and "dagster/column_schema" in metadata, (mart, metadata)
            assert metadata["dagster/row_count"].value == first_run["counts_after_first"][mart], mart
            columns = metadata["dagster/column_schema"].value.columns
            built = conn.sql(f"select * from marts.{mart}")
            assert [(column.name, column.type) for column in columns] == list(
                zip(built.columns, map(str, built.types), strict=True)
            ), mart


def test_bad_sites_file_exits_non_zero_with_one_line(tmp_path: Path):
    bad = tmp_path / "sites.yaml"
    bad.write_text("sites:\n  - name: Bad Name\n    feeds: [ftp://x]\n", encoding="utf-8")
    result = run_akhbar("run", "--sites", str(bad), "--date", DAY, home=tmp_path / "home")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "sites.0.name" in result.stderr


def test_status_shows_the_days_freshness_and_runs(first_run):
    result = run_akhbar("status", home=first_run["home"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert DAY in result.stdout  # the day's fetch line and the runs' partitions
    assert "aawsat" in result.stdout and "SUCCESS" in result.stdout
    assert "unavailable" not in result.stdout
