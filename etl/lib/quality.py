"""Great Expectations validation of a normalized batch, with row-level quarantine and nothing lost.

The suites in `expectations/suites/<table>.json` are the source of truth (the same files the GX file context in
`expectations/` serves). Each call loads them into an *ephemeral* context, so concurrent runs never write into
the repository; Data Docs, and the validation results they render (in `.results/`), are written only into the
`docs_dir` the caller gives.

Row-level results come from GX itself: every suite runs with result format COMPLETE, so each failed critical
expectation names the rows that broke it (by their position: GX reads a frame with a plain 0..n-1 index), and
its `meta.rule` becomes the reason stored with the quarantined row. The unexpected values themselves are left
out of the results: the quarantined rows carry them, and listing them (every image without a credit, for a
fill-rate warning) cost more than the validation. Policies:

* uniqueness: GX flags every row of a duplicated id; the **first** copy (in batch order, which is fetch order)
  that passes every other critical expectation is loaded and the other copies are quarantined, so a page
  fetched twice still reaches the warehouse once, and a broken first copy does not hide a good second one;
* parents: images and related links of a quarantined article are quarantined too
  (`parent_article_quarantined`), so no loaded child points at an article that was not loaded;
* a failed critical expectation without row-level results (GX raised, or it is a table-level expectation)
  quarantines every row of its table with reason `<rule>_not_evaluated`: no row is loaded unchecked;
* warning-level failures are reported in `warnings` and never block or quarantine.

Input rows = passed + quarantined, per table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from etl.lib.data_docs import render_data_docs
from etl.lib.normalize import NormalizedBatch

GX_ROOT = Path(__file__).resolve().parents[2] / "expectations"
TABLES = ("raw_articles", "raw_images", "raw_related_links")
ID_COLUMNS = {"raw_articles": "article_id", "raw_images": "image_id", "raw_related_links": "link_id"}
ROW_NUMBER = "row_number"
PARENT_QUARANTINED = "parent_article_quarantined"
RESULTS_DIR = ".results"
# News sites started publishing on the web in the 1990s; an earlier date is a parsing error.
MIN_TIMESTAMP = datetime(1990, 1, 1, tzinfo=UTC)
# A local time printed without an offset is read as UTC (etl.lib.dates), so a fresh article from a zone
# east of UTC (up to UTC+14) can look that far in the future.
FUTURE_TOLERANCE = timedelta(hours=14)

logger = logging.getLogger(__name__)


@dataclass
class TableValidation:
    """The outcome of one suite on one table: the rows to load, the rows to quarantine, and the statistics."""

    table: (
        str  # raw_articles | raw_images | raw_related_links: the suite, validation definition and checkpoint
    )
    passed: pl.DataFrame  # rows that pass every critical expectation, input schema
    quarantined: pl.DataFrame  # input columns + failed_expectations (list[str]) + run_id
    success: bool  # no critical expectation failed
    statistics: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def load_suite_definitions(gx_root: Path = GX_ROOT) -> dict[str, dict[str, Any]]:
    """The suites as JSON dictionaries, keyed by table name."""
    return {
        table: json.loads((gx_root / "suites" / f"{table}.json").read_text(encoding="utf-8"))
        for table in TABLES
    }


def _severity(expectation: dict[str, Any]) -> str:
    return (expectation.get("meta") or {}).get("severity") or expectation.get("severity") or "critical"


def _rule(expectation: dict[str, Any]) -> str:
    meta = expectation.get("meta") or {}
    return meta.get("rule") or f"{expectation['type']}:{expectation['kwargs'].get('column')}"


def _context(docs_dir: Path | None) -> Any:
    """An in-memory GX context; with `docs_dir`, its validation results kept on disk there.

    The results live in `docs_dir/.results` (one file per table and run), so the Data Docs page
    (`etl.lib.data_docs`) lists every run, not only the last, and concurrent runs write distinct files.
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


def _row_reasons(result: Any, frame: pl.DataFrame, table: str) -> tuple[pl.DataFrame, bool, list[str]]:
    """(row_number, reason) pairs for failed critical expectations, the suite's success, and warnings."""
    pairs: list[tuple[int, str]] = []
    duplicates: list[tuple[str, str, set[int]]] = []  # (rule, column, rows GX flagged)
    warnings: list[str] = []
    success = True
    for outcome in result.results:
        if outcome.success:
            continue
        expectation = outcome.expectation_config.to_json_dict()
        rule = _rule(expectation)
        details = outcome.result or {}
        if _severity(expectation) != "critical":
            percent = details.get("unexpected_percent")
            share = f": {percent:.1f}% unexpected" if percent is not None else ""
            warnings.append(f"{table}.{rule}{share}")
            continue
        success = False
        if "unexpected_index_list" not in details:
            # GX raised (its exception_info is keyed by metric) or the expectation is not row-level: no row
            # can be cleared, so none is loaded unchecked
            logger.warning("GX gave no row-level result for %s.%s: %s", table, rule, outcome.exception_info)
            pairs.extend((row, f"{rule}_not_evaluated") for row in range(frame.height))
            continue
        failing = {int(row) for row in details["unexpected_index_list"]}
        if expectation["type"] == "expect_column_values_to_be_unique":
            duplicates.append((rule, expectation["kwargs"]["column"], failing))
        else:
            pairs.extend((row, rule) for row in failing)
    failed_elsewhere = {row for row, _ in pairs}
    for rule, column, flagged in duplicates:
        # GX flags every copy of a duplicated id; the first copy that passes everything else is loaded
        survivors = (
            frame.with_row_index(ROW_NUMBER)
            .filter(pl.col(ROW_NUMBER).is_in(sorted(flagged - failed_elsewhere)))
            .unique(subset=column, keep="first", maintain_order=True)[ROW_NUMBER]
        )
        pairs.extend((row, rule) for row in flagged - set(survivors.to_list()))
    frame_of_pairs = pl.DataFrame(
        {ROW_NUMBER: [row for row, _ in pairs], "reason": [reason for _, reason in pairs]},
        schema={ROW_NUMBER: pl.UInt32, "reason": pl.String},
    )
    return frame_of_pairs, success, warnings


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
    passed_article_ids: pl.Series | None = None,
) -> TableValidation:
    """Run one suite on one table and split its rows; children also need their article among `passed_article_ids`."""
    result = _run_suite(context, table, suite_json, frame, run_id)
    pairs, success, warnings = _row_reasons(result, frame, table)
    if passed_article_ids is not None:
        pairs = pl.concat([pairs, _parent_pairs(frame, passed_article_ids)])
    passed, quarantined = _split(frame, pairs, run_id)
    statistics = dict(result.statistics)
    statistics.update(
        {
            "rows_in": frame.height,
            "rows_passed": passed.height,
            "rows_quarantined": quarantined.height,
            "quarantine_reasons": sorted(set(pairs["reason"].to_list())),
        }
    )
    return TableValidation(table, passed, quarantined, success, statistics, warnings)


def _tables(batch: NormalizedBatch) -> dict[str, pl.DataFrame]:
    return {
        "raw_articles": batch.articles,
        "raw_images": batch.images,
        "raw_related_links": batch.related_links,
    }


def _nothing_to_validate(table: str, frame: pl.DataFrame, run_id: str) -> TableValidation:
    no_pairs = pl.DataFrame(schema={ROW_NUMBER: pl.UInt32, "reason": pl.String})
    passed, quarantined = _split(frame, no_pairs, run_id)
    statistics = {"rows_in": 0, "rows_passed": 0, "rows_quarantined": 0, "quarantine_reasons": []}
    return TableValidation(table, passed, quarantined, True, statistics, [])


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
    passed_ids = articles.passed["article_id"]
    outcome = {
        "raw_articles": articles,
        "raw_images": validate_table(
            context,
            "raw_images",
            batch.images,
            suites["raw_images"],
            run_id=run_id,
            passed_article_ids=passed_ids,
        ),
        "raw_related_links": validate_table(
            context,
            "raw_related_links",
            batch.related_links,
            suites["raw_related_links"],
            run_id=run_id,
            passed_article_ids=passed_ids,
        ),
    }
    if docs_dir is not None:
        render_data_docs(list(TABLES), docs_dir / RESULTS_DIR, docs_dir / "index.html")
    return outcome
