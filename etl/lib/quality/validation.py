"""Great Expectations validation of a normalized batch, with row-level quarantine and nothing lost.

The suites in `expectations/suites/<table>.json` are the source of truth (the same files the GX file context in
`expectations/` serves). Each call loads them into an *ephemeral* context, so concurrent runs never write into
the repository; Data Docs, and the validation results they render (in `.results/`), are written only into the
`docs_dir` the caller gives.

Row-level results come from GX itself: every suite runs with result format COMPLETE, so each failed expectation
names the rows that broke it (by their position: GX reads a frame with a plain 0..n-1 index), and its
`meta.rule` names the failure. The unexpected values themselves are left out of the results: the rows carry
them, and listing them (every image without a credit, for a fill-rate warning) cost more than the validation.
An expectation's `meta.severity` says what a failing row costs:

* `critical`: the row is unusable (no identity, no body, a broken key): it goes to quarantine with the rule as
  its reason;
* `field`: one optional field is bad (a date out of range, a malformed image URL, an over-long caption): the
  row loads with that field null, and the value is kept as a field issue (`FIELD_ISSUES`) with its rule;
* `warning`: a fill rate below its floor is reported in `warnings`, never blocking.

Policies:

* uniqueness: GX flags every row of a duplicated id; the **first** copy (in batch order, which is fetch order)
  that passes every other critical expectation, and among those the first without a field issue, is loaded
  and the other copies are quarantined, so a page fetched twice still reaches the warehouse once, and a
  broken first copy does not hide a good second one;
* parents: images and related links follow their article into quarantine (`parent_article_quarantined`), so
  no loaded child points at an article that was not loaded; a bad image or link never takes its article along;
* a failed expectation without row-level results (GX raised, or it is a table-level expectation) counts for
  every row of its table, as `<rule>_not_evaluated`: a critical one quarantines them all, a field one nulls
  its field in all of them; no value is loaded unchecked;
* the values extraction set aside as impossible (`NormalizedBatch.rejected_values`) are field issues too, of
  stage `extract`.

Input rows = passed + quarantined, per table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from etl.lib.frames import conform
from etl.lib.normalize import NormalizedBatch
from etl.lib.plausible import FUTURE_TOLERANCE, MIN_TIMESTAMP
from etl.lib.quality.data_docs import render_data_docs
from etl.lib.schema import FIELD_ISSUES

GX_ROOT = Path(__file__).resolve().parents[3] / "expectations"
TABLES = ("raw_articles", "raw_images", "raw_related_links")
ID_COLUMNS = {"raw_articles": "article_id", "raw_images": "image_id", "raw_related_links": "link_id"}
ROW_NUMBER = "row_number"
CRITICAL, FIELD = "critical", "field"  # the severities that act on rows (see the module docstring)
# The warehouse table each suite's rows load into, as field issues name it.
TABLE_NAMES = {"raw_articles": "articles", "raw_images": "images", "raw_related_links": "related_links"}
# The article's `field_sources` entry that says where a child row was read (dom or profile).
CHILD_SOURCES = {"raw_images": "images", "raw_related_links": "related"}
PARENT_QUARANTINED = "parent_article_quarantined"
RESULTS_DIR = ".results"

logger = logging.getLogger(__name__)


@dataclass
class TableValidation:
    """The outcome of one suite on one table: the rows to load, the rows to quarantine, and the statistics."""

    table: (
        str  # raw_articles | raw_images | raw_related_links: the suite, validation definition and checkpoint
    )
    passed: pl.DataFrame  # rows that pass every critical expectation, input schema, bad optional fields null
    quarantined: pl.DataFrame  # input columns + failed_expectations (list[str]) + run_id
    success: bool  # no critical expectation failed
    statistics: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    field_issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FIELD_ISSUES))
    # per passed row, its position in the input and the fields nulled in it: `passed` as a verdict on the input
    verdicts: pl.DataFrame = field(default_factory=lambda: _verdicts(0, _no_failures()))


def load_suite_definitions(gx_root: Path = GX_ROOT) -> dict[str, dict[str, Any]]:
    """The suites as JSON dictionaries, keyed by table name."""
    return {
        table: json.loads((gx_root / "suites" / f"{table}.json").read_text(encoding="utf-8"))
        for table in TABLES
    }


def _severity(expectation: dict[str, Any]) -> str:
    return (expectation.get("meta") or {}).get("severity") or expectation.get("severity") or CRITICAL


def _rule(expectation: dict[str, Any]) -> str:
    meta = expectation.get("meta") or {}
    return meta.get("rule") or f"{expectation['type']}:{expectation['kwargs'].get('column')}"


def _context(docs_dir: Path | None) -> Any:
    """An in-memory GX context; with `docs_dir`, its validation results kept on disk there.

    The results live in `docs_dir/.results` (one file per table and run), so the Data Docs page
    (`etl.lib.quality.data_docs`) lists every run, not only the last, and concurrent runs write distinct files.
    """
    import great_expectations as gx  # a heavy import, paid only by the code that validates
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    defaults = InMemoryStoreBackendDefaults()
    stores = dict(defaults.stores)
    if docs_dir is not None:
        stores[defaults.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir / RESULTS_DIR),
            },
        }
    config = DataContextConfig(
        stores=stores,
        expectations_store_name=defaults.expectations_store_name,
        validation_results_store_name=defaults.validation_results_store_name,
        checkpoint_store_name=defaults.checkpoint_store_name,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        # GX's own site loads its style and scripts from CDNs: offline it is an empty page
        data_docs_sites={},
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _run_suite(context: Any, table: str, suite_json: dict[str, Any], frame: pl.DataFrame, run_id: str) -> Any:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    columns = {e["kwargs"]["column"] for e in suite_json["expectations"] if "column" in e["kwargs"]}
    # GX reads pandas; only the checked columns cross the boundary (list columns convert slowly and are not checked).
    # Its index is 0..n-1, so GX's unexpected indices are row positions.
    pandas_frame = frame.select(sorted(columns & set(frame.columns))).to_pandas()
    batch_definition = (
        context.data_sources.add_pandas(f"pandas_{table}")
        .add_dataframe_asset(table)
        .add_batch_definition_whole_dataframe("whole_dataframe")
    )
    suite = context.suites.add(gx.ExpectationSuite(**{k: v for k, v in suite_json.items() if k != "id"}))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=table, data=batch_definition, suite=suite)
    )
    now = datetime.now(UTC)
    return definition.run(
        batch_parameters={"dataframe": pandas_frame},
        expectation_parameters={"min_timestamp": MIN_TIMESTAMP, "max_timestamp": now + FUTURE_TOLERANCE},
        result_format={"result_format": "COMPLETE", "exclude_unexpected_values": True},
        run_id=RunIdentifier(run_name=run_id, run_time=now),
    )


@dataclass
class _Failures:
    """What a suite's failed expectations do to the rows of one table."""

    quarantine: pl.DataFrame  # row_number, reason: critical failures, the row goes to quarantine
    nulled: pl.DataFrame  # row_number, field, rule: field failures, the row loads with the field null
    success: bool  # no critical expectation failed
    warnings: list[str]


def _no_failures() -> _Failures:
    return _Failures(
        quarantine=pl.DataFrame(schema={ROW_NUMBER: pl.UInt32, "reason": pl.String}),
        nulled=pl.DataFrame(schema={ROW_NUMBER: pl.UInt32, "field": pl.String, "rule": pl.String}),
        success=True,
        warnings=[],
    )


def _verdicts(height: int, failures: _Failures) -> pl.DataFrame:
    """The input positions of the rows that pass, each with the sorted fields nulled in it (`[]` for none)."""
    nulled = failures.nulled.group_by(ROW_NUMBER).agg(pl.col("field").unique().sort().alias("nulled_fields"))
    return (
        pl.DataFrame({ROW_NUMBER: pl.int_range(0, height, dtype=pl.UInt32, eager=True)})
        .filter(~pl.col(ROW_NUMBER).is_in(failures.quarantine[ROW_NUMBER].implode()))
        .join(nulled, on=ROW_NUMBER, how="left", maintain_order="left")
        .with_columns(pl.col("nulled_fields").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    )


def _row_reasons(result: Any, frame: pl.DataFrame, table: str) -> _Failures:
    """The rows each failed expectation names, sorted by what their failure costs."""
    pairs: list[tuple[int, str]] = []
    nulled: list[tuple[int, str, str]] = []
    duplicates: list[tuple[str, str, set[int]]] = []  # (rule, column, rows GX flagged)
    warnings: list[str] = []
    success = True
    for outcome in result.results:
        if outcome.success:
            continue
        expectation = outcome.expectation_config.to_json_dict()
        rule = _rule(expectation)
        severity = _severity(expectation)
        details = outcome.result or {}
        if severity not in (CRITICAL, FIELD):
            percent = details.get("unexpected_percent")
            share = f": {percent:.1f}% unexpected" if percent is not None else ""
            warnings.append(f"{table}.{rule}{share}")
            continue
        success = success and severity != CRITICAL
        if "unexpected_index_list" in details:
            failing = {int(row) for row in details["unexpected_index_list"]}
        else:
            # GX raised (its exception_info is keyed by metric) or the expectation is not row-level: no row
            # can be cleared, so none is loaded unchecked
            logger.warning("GX gave no row-level result for %s.%s: %s", table, rule, outcome.exception_info)
            failing, rule = set(range(frame.height)), f"{rule}_not_evaluated"
        if severity == FIELD:
            nulled.extend((row, expectation["kwargs"]["column"], rule) for row in failing)
        elif expectation["type"] == "expect_column_values_to_be_unique" and not rule.endswith(
            "_not_evaluated"
        ):
            duplicates.append((rule, expectation["kwargs"]["column"], failing))
        else:
            pairs.extend((row, rule) for row in failing)
    failed_elsewhere = {row for row, _ in pairs}
    with_field_issues = sorted({row for row, _, _ in nulled})
    for rule, column, flagged in duplicates:
        # GX flags every copy of a duplicated id; the first copy that passes everything else is loaded, and
        # a copy whose fields are all good goes before one that would load with a field nulled
        survivors = (
            frame.with_row_index(ROW_NUMBER)
            .filter(pl.col(ROW_NUMBER).is_in(sorted(flagged - failed_elsewhere)))
            .sort(pl.col(ROW_NUMBER).is_in(with_field_issues), ROW_NUMBER)
            .unique(subset=column, keep="first", maintain_order=True)[ROW_NUMBER]
        )
        pairs.extend((row, rule) for row in flagged - set(survivors.to_list()))
    return _Failures(
        quarantine=pl.DataFrame(pairs, schema={ROW_NUMBER: pl.UInt32, "reason": pl.String}, orient="row"),
        nulled=pl.DataFrame(
            nulled, schema={ROW_NUMBER: pl.UInt32, "field": pl.String, "rule": pl.String}, orient="row"
        ),
        success=success,
        warnings=warnings,
    )


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """A value as text for the field issues table; an instant in ISO 8601, as pages print it."""
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.to_string("%Y-%m-%dT%H:%M:%S%:z")
    return pl.col(column).cast(pl.String)


def _row_context(table: str, numbered: pl.DataFrame, parents: pl.DataFrame | None) -> pl.DataFrame:
    """Per numbered row: its ids, site, partition day and the article's `field_sources`, for its field issues."""
    own_id = ID_COLUMNS[table]
    ids = [ROW_NUMBER, *dict.fromkeys([own_id, "article_id"]), "content_hash", "partition_date"]
    if parents is None:
        return numbered.select(*ids, "site", "field_sources")
    articles = parents.select("article_id", "site", "field_sources").unique("article_id", maintain_order=True)
    return numbered.select(ids).join(articles, on="article_id", how="left", maintain_order="left")


def _null_bad_fields(
    table: str, frame: pl.DataFrame, failures: _Failures, parents: pl.DataFrame | None, run_id: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`frame` with each bad optional field of a row that loads nulled, and the field issues keeping them."""
    # a quarantined row keeps every value as printed: quarantine.* stores it whole
    nulled = failures.nulled.join(failures.quarantine, on=ROW_NUMBER, how="anti").unique(maintain_order=True)
    if nulled.is_empty():
        return frame, pl.DataFrame(schema=FIELD_ISSUES)
    numbered = frame.with_row_index(ROW_NUMBER)
    context = _row_context(table, numbered, parents)
    issues = []
    updates = []
    for column in nulled["field"].unique(maintain_order=True):
        rows = nulled.filter(pl.col("field") == column)
        values = numbered.select(ROW_NUMBER, _as_text(column, frame.schema[column]).alias("value"))
        # an image's or a card's source is where its article's images or cards were read (dom or profile)
        source_key = CHILD_SOURCES.get(table, column)
        issues.append(
            rows.join(context, on=ROW_NUMBER, how="left")
            .join(values, on=ROW_NUMBER, how="left")
            .with_columns(pl.col("field_sources").str.json_path_match(f"$.{source_key}").alias("source"))
        )
        is_bad = pl.col(ROW_NUMBER).is_in(rows[ROW_NUMBER].implode())
        updates.append(pl.when(is_bad).then(None).otherwise(pl.col(column)).alias(column))
    found = (
        pl.concat(issues, how="diagonal_relaxed")
        .filter(pl.col("value").is_not_null())
        .sort(ROW_NUMBER, "field", "rule")
        .with_columns(
            pl.lit(TABLE_NAMES[table]).alias("table_name"),
            pl.lit("validate").alias("stage"),
            pl.lit(run_id).alias("run_id"),
        )
    )
    for missing in {"image_id", "link_id"} - set(found.columns):
        found = found.with_columns(pl.lit(None, pl.String).alias(missing))
    return numbered.with_columns(updates).drop(ROW_NUMBER), conform(
        found, FIELD_ISSUES, f"{table} field issues"
    )


def _split(frame: pl.DataFrame, pairs: pl.DataFrame, run_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    failed = (
        pairs.unique(maintain_order=True)
        .group_by(ROW_NUMBER, maintain_order=True)
        .agg(pl.col("reason").alias("failed_expectations"))
    )
    numbered = frame.with_row_index(ROW_NUMBER).join(failed, on=ROW_NUMBER, how="left", maintain_order="left")
    has_failed = pl.col("failed_expectations").is_not_null()
    passed = numbered.filter(~has_failed).select(frame.columns)
    quarantined = numbered.filter(has_failed).select(
        *frame.columns, pl.col("failed_expectations").list.sort(), pl.lit(run_id, pl.String).alias("run_id")
    )
    return passed, quarantined


def _parent_pairs(frame: pl.DataFrame, passed_article_ids: pl.Series) -> pl.DataFrame:
    orphaned = frame.with_row_index(ROW_NUMBER).filter(
        pl.col("article_id").is_not_null() & ~pl.col("article_id").is_in(passed_article_ids.implode())
    )
    return orphaned.select(ROW_NUMBER, pl.lit(PARENT_QUARANTINED).alias("reason"))


def validate_table(
    context: Any,
    table: str,
    frame: pl.DataFrame,
    suite_json: dict[str, Any],
    *,
    run_id: str,
    parents: pl.DataFrame | None = None,
    passed_article_ids: pl.Series | None = None,
) -> TableValidation:
    """Run one suite on one table and split its rows; children also need their article among `passed_article_ids`.

    `parents` (the batch's articles) give a child's field issues their site and source.
    """
    result = _run_suite(context, table, suite_json, frame, run_id)
    failures = _row_reasons(result, frame, table)
    if passed_article_ids is not None:
        failures.quarantine = pl.concat([failures.quarantine, _parent_pairs(frame, passed_article_ids)])
    frame, field_issues = _null_bad_fields(table, frame, failures, parents, run_id)
    passed, quarantined = _split(frame, failures.quarantine, run_id)
    statistics = dict(result.statistics)
    statistics.update(
        {
            "rows_in": frame.height,
            "rows_passed": passed.height,
            "rows_quarantined": quarantined.height,
            "quarantine_reasons": sorted(set(failures.quarantine["reason"].to_list())),
            "field_issues": field_issues.height,
            "field_issue_rules": sorted(set(field_issues["rule"].to_list())),
        }
    )
    return TableValidation(
        table,
        passed,
        quarantined,
        failures.success,
        statistics,
        failures.warnings,
        field_issues,
        _verdicts(frame.height, failures),
    )


def _tables(batch: NormalizedBatch) -> dict[str, pl.DataFrame]:
    return {
        "raw_articles": batch.articles,
        "raw_images": batch.images,
        "raw_related_links": batch.related_links,
    }


def _nothing_to_validate(table: str, frame: pl.DataFrame, run_id: str) -> TableValidation:
    passed, quarantined = _split(frame, _no_failures().quarantine, run_id)
    statistics = {
        "rows_in": 0,
        "rows_passed": 0,
        "rows_quarantined": 0,
        "quarantine_reasons": [],
        "field_issues": 0,
        "field_issue_rules": [],
    }
    return TableValidation(table, passed, quarantined, True, statistics, [])


def _add_rejected_values(articles: TableValidation, rejected: pl.DataFrame, run_id: str) -> None:
    """The values extraction set aside join the articles' field issues, as stage `extract`."""
    extracted = rejected.with_columns(
        pl.lit("articles").alias("table_name"),
        pl.lit("extract").alias("stage"),
        pl.lit(run_id).alias("run_id"),
        pl.lit(None, pl.String).alias("image_id"),
        pl.lit(None, pl.String).alias("link_id"),
    )
    articles.field_issues = pl.concat(
        [articles.field_issues, conform(extracted, FIELD_ISSUES, "rejected values")]
    )
    articles.statistics["values_rejected_at_extraction"] = rejected.height


def validate_batch(
    batch: NormalizedBatch, *, run_id: str, docs_dir: Path | None = None
) -> dict[str, TableValidation]:
    """Validate the three tables of a batch against their suites; build Data Docs in `docs_dir` when given."""
    if batch.articles.is_empty() and batch.images.is_empty() and batch.related_links.is_empty():
        # a day with nothing new (every page a 304) must not pay for starting Great Expectations
        return {name: _nothing_to_validate(name, frame, run_id) for name, frame in _tables(batch).items()}
    suites = load_suite_definitions()
    context = _context(docs_dir)
    articles = validate_table(context, "raw_articles", batch.articles, suites["raw_articles"], run_id=run_id)
    _add_rejected_values(articles, batch.rejected_values, run_id)
    outcome = {"raw_articles": articles}
    for table, frame in (("raw_images", batch.images), ("raw_related_links", batch.related_links)):
        outcome[table] = validate_table(
            context,
            table,
            frame,
            suites[table],
            run_id=run_id,
            parents=batch.articles,
            passed_article_ids=articles.passed["article_id"],
        )
    if docs_dir is not None:
        render_data_docs(list(TABLES), docs_dir / RESULTS_DIR, docs_dir / "index.html")
    return outcome
