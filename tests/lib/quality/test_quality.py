"""validate_batch: real GX validation; good rows pass, broken rows sit in quarantine with their reasons."""

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import polars as pl
import pytest

from etl.lib.normalize.batch import normalize_batch
from etl.lib.quality.validation import GX_ROOT, TABLES, load_suite_definitions, validate_batch
from etl.lib.schema import EXTRACTED_ARTICLES, EXTRACTED_IMAGES, EXTRACTED_RELATED_LINKS

BODY = "أكد الزعيم الكوري الشمالي كيم جونغ أون أنه يريد بناء علاقة «تتطلع إلى المستقبل» مع موسكو."


def article(url, **overrides):
    row = {
        "url": url,
        "requested_url": url,
        "site": "aawsat",
        "partition_date": date(2024, 10, 28),
        "fetched_at": datetime(2024, 10, 28, 12, tzinfo=UTC),
        "archive_key": None,
        "body_sha256": None,
        "canonical_url": None,
        "title": "عنوان",
        "description": None,
        "authors": [],
        "published_at_raw": "2024-10-28T10:30:00+03:00",
        "modified_at_raw": None,
        "site_name": None,
        "language": "ar",
        "section": None,
        "tags": [],
        "body_text": BODY,
        "field_sources": "{}",
        "error": None,
    }
    return row | overrides


def image(url, position, image_url, credit_raw="أ.ف.ب"):
    return {
        "article_url": url,
        "partition_date": date(2024, 10, 28),
        "position": position,
        "image_url": image_url,
        "alt_text": None,
        "caption": "الزعيم الكوري الشمالي كيم جونغ أون",
        "credit_raw": credit_raw,
        "width": 800,
        "height": 450,
        "is_lead": position == 0,
    }


def link(url, position, target_url, byline="«الشرق الأوسط» (موسكو)"):
    return {
        "article_url": url,
        "partition_date": date(2024, 10, 28),
        "position": position,
        "target_url": target_url,
        "title": "روسيا تُخرج مواطناً أميركياً",
        "section": "أوروبا",
        "summary": None,
        "image_url": None,
        "image_caption": None,
        "byline": byline,
    }


def good(n):
    return f"https://aawsat.com/good/{n}"


def broken_batch():
    articles = [
        article(good(1)),
        article(good(2), canonical_url=good(2)),
        article(None),  # null URL
        article("https://aawsat.com/future", published_at_raw="2099-01-01T00:00:00Z"),  # loads, date nulled
        article("https://aawsat.com/empty", body_text="  \u200f "),
        article("https://aawsat.com/good/2?from=rss", canonical_url=good(2)),  # duplicate id of good(2)
        # a duplicated id whose first copy has a bad date: the second, good copy is loaded
        article("https://aawsat.com/good/3?amp", canonical_url=good(3), published_at_raw="1970-01-01"),
        article(good(3)),
    ]
    images = [
        image(good(1), 0, "https://static.aawsat.com/1.jpg"),
        image(good(1), 1, "javascript:alert(1)"),  # malformed image URL: nulled, the image loads
        image(good(2), 0, "https://static.aawsat.com/2.jpg", credit_raw=None),
        image("https://aawsat.com/empty", 0, "https://static.aawsat.com/f.jpg"),  # parent quarantined
    ]
    links = [
        link(good(1), 0, "https://aawsat.com/related/1", byline=None),
        link("https://aawsat.com/empty", 0, "https://aawsat.com/related/2"),  # parent quarantined
        link(good(2), 0, "https://aawsat.com/related/3", byline=None),
    ]
    return normalize_batch(
        pl.DataFrame(articles, schema=EXTRACTED_ARTICLES),
        pl.DataFrame(images, schema=EXTRACTED_IMAGES),
        pl.DataFrame(links, schema=EXTRACTED_RELATED_LINKS),
    )


@pytest.fixture(scope="module")
def broken_result(tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs")
    return validate_batch(broken_batch(), run_id="run-42", docs_dir=docs), docs


def _reasons(validation, column):
    return {row[column]: row["failed_expectations"] for row in validation.quarantined.to_dicts()}


def test_broken_articles_are_quarantined_with_their_reasons(broken_result):
    results, _ = broken_result
    articles = results["raw_articles"]
    assert sorted(articles.passed["url"].to_list()) == [
        "https://aawsat.com/future",
        good(1),
        good(2),
        good(3),
    ]
    assert _reasons(articles, "url") == {
        None: ["article_id_not_null", "url_not_null"],
        "https://aawsat.com/empty": ["body_text_length"],
        "https://aawsat.com/good/2?from=rss": ["article_id_unique"],  # the first of the two is loaded
        "https://aawsat.com/good/3?amp": ["article_id_unique"],  # kept whole, its 1970 date as printed
    }
    assert articles.quarantined.filter(pl.col("url") == "https://aawsat.com/good/3?amp")[
        "published_at"
    ].to_list() == [datetime(1970, 1, 1, tzinfo=UTC)]
    assert set(articles.quarantined["run_id"]) == {"run-42"}
    assert articles.quarantined.schema["failed_expectations"] == pl.List(pl.String)
    assert articles.passed.schema == broken_batch().articles.schema
    assert articles.success is False


def test_children_of_quarantined_articles_and_bad_images_are_quarantined(broken_result):
    results, _ = broken_result
    images, links = results["raw_images"], results["raw_related_links"]
    assert images.passed["url"].to_list() == [
        "https://static.aawsat.com/1.jpg",
        None,  # javascript:alert(1), kept in the field issues
        "https://static.aawsat.com/2.jpg",
    ]
    assert _reasons(images, "url") == {"https://static.aawsat.com/f.jpg": ["parent_article_quarantined"]}
    assert images.field_issues["value"].to_list() == ["javascript:alert(1)"]
    assert _reasons(links, "url") == {"https://aawsat.com/related/2": ["parent_article_quarantined"]}
    assert links.success is True  # no link broke an expectation; one only lost its parent


# What the broken batch holds, row by row (broken_batch's comments): articles lose the null URL, the empty body
# and two duplicated ids; an image and a link lose their quarantined parent. The expectations that fail:
# four critical and one field rule on articles, the image URL's format, the links' byline fill-rate warning.
BROKEN_BATCH_STATISTICS = {
    "raw_articles": {"rows_in": 8, "rows_passed": 4, "rows_quarantined": 4, "unsuccessful_expectations": 5},
    "raw_images": {"rows_in": 4, "rows_passed": 3, "rows_quarantined": 1, "unsuccessful_expectations": 1},
    "raw_related_links": {
        "rows_in": 3,
        "rows_passed": 2,
        "rows_quarantined": 1,
        "unsuccessful_expectations": 1,
    },
}


def test_counts_per_table_are_those_of_the_broken_batch(broken_result):
    results, _ = broken_result
    suites = load_suite_definitions()
    for table, validation in results.items():
        assert validation.table == table
        assert (validation.passed.height, validation.quarantined.height) == (
            BROKEN_BATCH_STATISTICS[table]["rows_passed"],
            BROKEN_BATCH_STATISTICS[table]["rows_quarantined"],
        )
        stats = validation.statistics
        assert {key: stats[key] for key in BROKEN_BATCH_STATISTICS[table]} == BROKEN_BATCH_STATISTICS[table]
        # every expectation of the suite's JSON was evaluated, none skipped
        assert stats["evaluated_expectations"] == len(suites[table]["expectations"])
    # no loaded child points at an article that was not loaded
    loaded = set(results["raw_articles"].passed["article_id"])
    for table in ("raw_images", "raw_related_links"):
        assert set(results[table].passed["article_id"]) <= loaded


def test_warnings_never_block(broken_result):
    results, _ = broken_result
    links = results["raw_related_links"]
    assert links.warnings == ["raw_related_links.byline_fill_rate: 66.7% unexpected"]
    assert links.quarantined.height == 1  # only the orphan; the links without a byline are loaded
    assert results["raw_images"].warnings == []  # 3 of 4 credits filled: above the 50% floor


def test_data_docs_are_one_self_contained_page_listing_every_suite_and_run(broken_result):
    _, docs = broken_result
    validate_batch(broken_batch(), run_id="run-43", docs_dir=docs)
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "run-42" in index and "run-43" in index
    for table in TABLES:
        assert f'href="#suite-{table}"' in index
    # every link resolves within the page, and nothing is loaded from anywhere else
    targets = set(re.findall(r'id="([^"]+)"', index))
    assert set(re.findall(r'href="#([^"]+)"', index)) <= targets
    assert not re.findall(r'(?:src|href)="(?!#)', index)
    assert "expect_column_values_to_not_be_null" in index and "rows unexpected" in index


@pytest.mark.skipif(shutil.which("chromium") is None, reason="`make test` installs Debian's chromium")
def test_a_browser_with_no_network_shows_the_suites_on_the_data_docs_index(broken_result):
    from tools.browser import CHROMIUM_FLAGS

    _, docs = broken_result
    browser = [shutil.which("chromium"), *CHROMIUM_FLAGS, "--dump-dom", (docs / "index.html").as_uri()]
    # a network namespace of its own has no interface but loopback: the page must stand alone
    isolated = ["unshare", "-rn", *browser]
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode == 0:
        browser = isolated
    rendered = subprocess.run(browser, capture_output=True, text=True, timeout=120, check=True).stdout
    rows = re.findall(r'<tr><td><a href="#suite-(\w+)">', rendered)
    assert rows == list(TABLES)
    assert "failed" in rendered  # the broken batch's results are on the page


def test_a_clean_batch_passes_whole():
    batch = normalize_batch(
        pl.DataFrame([article(good(1)), article(good(2))], schema=EXTRACTED_ARTICLES),
        pl.DataFrame([image(good(1), 0, "https://static.aawsat.com/1.jpg")], schema=EXTRACTED_IMAGES),
        pl.DataFrame([link(good(2), 0, "https://aawsat.com/related/1")], schema=EXTRACTED_RELATED_LINKS),
    )
    results = validate_batch(batch, run_id="clean")
    assert all(v.success and v.quarantined.height == 0 for v in results.values())
    assert results["raw_articles"].passed.equals(batch.articles)


def test_suites_mark_every_expectation_with_one_severity_and_rule():
    for table, suite in load_suite_definitions().items():
        assert suite["name"] == table
        rules = [e["meta"]["rule"] for e in suite["expectations"]]
        assert len(rules) == len(set(rules)), table
        for expectation in suite["expectations"]:
            severity = expectation["meta"]["severity"]
            assert severity in ("critical", "field", "warning")
            # GX knows no field severity: a field failure does not block its row, as a warning does not
            assert expectation["severity"] == ("warning" if severity == "field" else severity)
        warnings = {e["meta"]["rule"] for e in suite["expectations"] if e["meta"]["severity"] == "warning"}
        assert warnings and all(rule.endswith("_fill_rate") for rule in warnings)
    critical_keys = {
        (e["type"], e["kwargs"]["column"])
        for suite in load_suite_definitions().values()
        for e in suite["expectations"]
        if e["severity"] == "critical"
    }
    for table, key in (
        ("raw_articles", "article_id"),
        ("raw_images", "image_id"),
        ("raw_related_links", "link_id"),
    ):
        assert ("expect_column_values_to_be_unique", key) in critical_keys, table
        assert ("expect_column_values_to_not_be_null", key) in critical_keys, table


def test_the_file_context_serves_the_same_suites(tmp_path):
    import great_expectations as gx

    root = tmp_path / "expectations"
    shutil.copytree(GX_ROOT, root, ignore=shutil.ignore_patterns("uncommitted"))
    context = gx.get_context(mode="file", context_root_dir=root)
    for table in TABLES:
        suite = context.suites.get(table)
        on_disk = json.loads((GX_ROOT / "suites" / f"{table}.json").read_text(encoding="utf-8"))
        assert [e.expectation_type for e in suite.expectations] == [
            e["type"] for e in on_disk["expectations"]
        ]
        assert context.validation_definitions.get(table).suite.name == table
        assert context.checkpoints.get(table).validation_definitions[0].name == table
    # a person can run a checkpoint by hand on a batch, the way the pipeline does
    images = broken_batch().images.with_row_index("row_number").to_pandas()
    result = context.checkpoints.get("raw_images").run(
        batch_parameters={"dataframe": images},
        expectation_parameters={"min_timestamp": "1990-01-01", "max_timestamp": "2100-01-01"},
    )
    assert result.success is False  # the javascript: image URL


def test_validation_writes_nothing_into_the_repository():
    before = sorted((p, p.stat().st_mtime_ns) for p in GX_ROOT.rglob("*"))
    validate_batch(broken_batch(), run_id="no-writes")
    assert sorted((p, p.stat().st_mtime_ns) for p in GX_ROOT.rglob("*")) == before


def test_empty_tables_validate_without_error():
    batch = normalize_batch(
        pl.DataFrame([article(good(1))], schema=EXTRACTED_ARTICLES),
        pl.DataFrame(schema=EXTRACTED_IMAGES),
        pl.DataFrame(schema=EXTRACTED_RELATED_LINKS),
    )
    results = validate_batch(batch, run_id="empty-children")
    assert results["raw_articles"].passed.height == 1
    for table in ("raw_images", "raw_related_links"):
        assert results[table].passed.height == results[table].quarantined.height == 0
        assert results[table].quarantined.columns[-2:] == ["failed_expectations", "run_id"]


def test_an_expectation_gx_cannot_evaluate_quarantines_its_whole_table():
    from etl.lib.quality.validation import _context, validate_table

    suite = {
        "name": "raw_articles",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "no_such_column"},
                "meta": {"severity": "critical", "rule": "no_such_column_not_null"},
                "severity": "critical",
            }
        ],
    }
    articles = broken_batch().articles
    result = validate_table(_context(None), "raw_articles", articles, suite, run_id="bad-suite")
    assert result.success is False
    assert result.passed.height == 0
    assert result.quarantined.height == articles.height
    assert set(result.quarantined["failed_expectations"].list.join(",")) == {
        "no_such_column_not_null_not_evaluated"
    }


def test_an_empty_batch_passes_without_starting_great_expectations(monkeypatch):
    import etl.lib.quality.validation as quality
    from etl.lib.normalize.batch import NormalizedBatch
    from etl.lib.schema import RAW_ARTICLES, RAW_IMAGES, RAW_RELATED_LINKS

    def no_context(*args, **kwargs):
        raise AssertionError("GX was started for an empty batch")

    monkeypatch.setattr(quality, "_context", no_context)
    empty = NormalizedBatch(
        pl.DataFrame(schema=RAW_ARTICLES),
        pl.DataFrame(schema=RAW_IMAGES),
        pl.DataFrame(schema=RAW_RELATED_LINKS),
    )
    results = quality.validate_batch(empty, run_id="r")
    assert {name: (r.success, r.passed.height, r.quarantined.height) for name, r in results.items()} == {
        "raw_articles": (True, 0, 0),
        "raw_images": (True, 0, 0),
        "raw_related_links": (True, 0, 0),
    }
    assert "failed_expectations" in results["raw_articles"].quarantined.columns


# ---------- field-level quarantine: a bad optional field is nulled and kept, never the article


LONG_CAPTION = "الزعيم الكوري الشمالي كيم جونغ أون يستقبل وزير الخارجية الروسي في بيونغ يانغ. " * 20


def field_issue_batch():
    url = good(7)
    articles = [
        article(
            url,
            published_at_raw="2099-01-01T00:00:00Z",
            field_sources='{"body_text": "trafilatura", "images": "dom", "published_at": "jsonld"}',
        )
    ]
    bad_image = image(url, 1, "javascript:void(0)") | {"caption": LONG_CAPTION}
    images = [image(url, 0, "https://static.aawsat.com/7.jpg"), bad_image]
    links = [link(url, 0, "https://aawsat.com/related/7")]
    return normalize_batch(
        pl.DataFrame(articles, schema=EXTRACTED_ARTICLES),
        pl.DataFrame(images, schema=EXTRACTED_IMAGES),
        pl.DataFrame(links, schema=EXTRACTED_RELATED_LINKS),
    )


def _issues(results):
    frame = pl.concat([result.field_issues for result in results.values()])
    return {
        (row["table_name"], row["field"], row["value"], row["rule"], row["stage"], row["run_id"])
        for row in frame.to_dicts()
    }


def test_a_bad_optional_field_is_nulled_and_kept_while_its_article_and_children_load():
    batch = field_issue_batch()
    results = validate_batch(batch, run_id="run-fields")
    articles, images, links = (results[t] for t in TABLES)
    assert articles.quarantined.height == images.quarantined.height == links.quarantined.height == 0
    assert articles.passed["url"].to_list() == [good(7)]
    assert articles.passed["published_at"].to_list() == [None]
    assert articles.passed["body_text"].to_list() == [BODY]
    by_position = {row["position"]: row for row in images.passed.to_dicts()}
    assert by_position[0]["url"] == "https://static.aawsat.com/7.jpg"
    assert by_position[0]["caption"] == "الزعيم الكوري الشمالي كيم جونغ أون"
    assert (by_position[1]["url"], by_position[1]["caption"], by_position[1]["credit"]) == (None, None, "AFP")
    assert links.passed["url"].to_list() == ["https://aawsat.com/related/7"]
    assert _issues(results) == {
        (
            "articles",
            "published_at",
            "2099-01-01T00:00:00+00:00",
            "published_at_in_range",
            "validate",
            "run-fields",
        ),
        ("images", "url", "javascript:void(0)", "url_format", "validate", "run-fields"),
        ("images", "caption", LONG_CAPTION.strip(), "caption_length", "validate", "run-fields"),
    }
    issues = pl.concat([result.field_issues for result in results.values()])
    article_id = articles.passed["article_id"][0]
    assert set(issues["article_id"]) == {article_id}
    assert set(issues["site"]) == {"aawsat"}
    assert set(issues["partition_date"]) == {date(2024, 10, 28)}
    bad_image_id = by_position[1]["image_id"]
    assert issues.filter(pl.col("table_name") == "images")["image_id"].to_list() == [bad_image_id] * 2
    sources = dict(issues.select("field", "source").iter_rows())
    assert sources == {"published_at": "jsonld", "url": "dom", "caption": "dom"}
    # the statistics the asset checks surface count them
    assert (articles.statistics["field_issues"], images.statistics["field_issues"]) == (1, 2)
    assert images.statistics["field_issue_rules"] == ["caption_length", "url_format"]
    assert links.statistics["field_issues"] == 0
    assert articles.success and images.success  # nothing was quarantined


def test_values_set_aside_at_extraction_become_field_issues_of_stage_extract():
    rejected = [
        {
            "field": "published_at",
            "value": "0001-01-01T00:00:00Z",
            "source": "jsonld",
            "rule": "date_before_1990",
        },
        {"field": "title", "value": "الشرق الأوسط", "source": "opengraph", "rule": "title_is_site_name"},
    ]
    batch = normalize_batch(
        pl.DataFrame(
            [
                article(good(8), rejected_values=json.dumps(rejected, ensure_ascii=False)),
                article(good(9), rejected_values="[]"),
                article(good(10)),  # written by a version without the column: null
            ],
            schema=EXTRACTED_ARTICLES,
        ),
        pl.DataFrame(schema=EXTRACTED_IMAGES),
        pl.DataFrame(schema=EXTRACTED_RELATED_LINKS),
    )
    results = validate_batch(batch, run_id="run-extract")
    assert results["raw_articles"].passed.height == 3
    issues = results["raw_articles"].field_issues
    article_id = batch.articles.filter(pl.col("url") == good(8))["article_id"][0]
    assert sorted(
        issues.select("article_id", "field", "value", "source", "rule", "stage", "site").rows()
    ) == [
        (
            article_id,
            "published_at",
            "0001-01-01T00:00:00Z",
            "jsonld",
            "date_before_1990",
            "extract",
            "aawsat",
        ),
        (article_id, "title", "الشرق الأوسط", "opengraph", "title_is_site_name", "extract", "aawsat"),
    ]
    assert set(issues["run_id"]) == {"run-extract"}
    assert results["raw_articles"].statistics["values_rejected_at_extraction"] == 2


def test_field_expectations_name_the_column_they_null_and_tolerate_no_share():
    for suite in load_suite_definitions().values():
        for expectation in suite["expectations"]:
            if expectation["meta"]["severity"] == "field":
                # every failing row is nulled, so a tolerated share would load bad values unnoticed
                assert "mostly" not in expectation["kwargs"], expectation["meta"]["rule"]
                assert expectation["meta"]["rule"].startswith(expectation["kwargs"]["column"])
