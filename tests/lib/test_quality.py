"""validate_batch: real GX validation; good rows pass, broken rows sit in quarantine with their reasons."""

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import polars as pl
import pytest

from etl.lib.normalize import normalize_batch
from etl.lib.quality import GX_ROOT, TABLES, load_suite_definitions, validate_batch
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
        "language_hint": "ar",
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
        "url": url,
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
        "url": url,
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
        article("https://aawsat.com/future", published_at_raw="2099-01-01T00:00:00Z"),
        article("https://aawsat.com/empty", body_text="  \u200f "),
        article("https://aawsat.com/good/2?from=rss", canonical_url=good(2)),  # duplicate id of good(2)
        # a duplicated id whose first copy is broken: the second, good copy is loaded
        article("https://aawsat.com/good/3?amp", canonical_url=good(3), published_at_raw="1970-01-01"),
        article(good(3)),
    ]
    images = [
        image(good(1), 0, "https://static.aawsat.com/1.jpg"),
        image(good(1), 1, "javascript:alert(1)"),  # malformed image URL
        image(good(2), 0, "https://static.aawsat.com/2.jpg", credit_raw=None),
        image("https://aawsat.com/future", 0, "https://static.aawsat.com/f.jpg"),  # parent quarantined
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
    assert sorted(articles.passed["url"].to_list()) == [good(1), good(2), good(3)]
    assert _reasons(articles, "url") == {
        None: ["article_id_not_null", "url_not_null"],
        "https://aawsat.com/future": ["published_at_in_range"],
        "https://aawsat.com/empty": ["body_text_length"],
        "https://aawsat.com/good/2?from=rss": ["article_id_unique"],  # the first of the two is loaded
        "https://aawsat.com/good/3?amp": ["article_id_unique", "published_at_in_range"],
    }
    assert set(articles.quarantined["run_id"]) == {"run-42"}
    assert articles.quarantined.schema["failed_expectations"] == pl.List(pl.String)
    assert articles.passed.schema == broken_batch().articles.schema
    assert articles.success is False


def test_children_of_quarantined_articles_and_bad_images_are_quarantined(broken_result):
    results, _ = broken_result
    images, links = results["raw_images"], results["raw_related_links"]
    assert images.passed["url"].to_list() == [
        "https://static.aawsat.com/1.jpg",
        "https://static.aawsat.com/2.jpg",
    ]
    assert _reasons(images, "url") == {
        "javascript:alert(1)": ["url_format"],
        "https://static.aawsat.com/f.jpg": ["parent_article_quarantined"],
    }
    assert _reasons(links, "url") == {"https://aawsat.com/related/2": ["parent_article_quarantined"]}
    assert links.success is True  # no link broke an expectation; one only lost its parent


def test_counts_add_up_per_table(broken_result):
    results, _ = broken_result
    batch = broken_batch()
    inputs = {
        "raw_articles": batch.articles,
        "raw_images": batch.images,
        "raw_related_links": batch.related_links,
    }
    for table, validation in results.items():
        assert validation.table == table
        assert validation.passed.height + validation.quarantined.height == inputs[table].height
        stats = validation.statistics
        assert (stats["rows_in"], stats["rows_passed"], stats["rows_quarantined"]) == (
            inputs[table].height,
            validation.passed.height,
            validation.quarantined.height,
        )
        assert (
            stats["evaluated_expectations"]
            == stats["successful_expectations"] + stats["unsuccessful_expectations"]
        )
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
    from etl.ui import CHROMIUM_FLAGS

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
            assert expectation["meta"]["severity"] == expectation["severity"] in ("critical", "warning")
        warnings = {e["meta"]["rule"] for e in suite["expectations"] if e["severity"] == "warning"}
        assert warnings and all(rule.endswith(("_fill_rate", "image_url_format")) for rule in warnings)
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
    from etl.lib.quality import _context, validate_table

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
    import etl.lib.quality as quality
    from etl.lib.normalize import NormalizedBatch
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
