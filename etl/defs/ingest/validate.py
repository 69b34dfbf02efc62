"""Validation: the Great Expectations suites over the day's normalized rows; unusable rows go to quarantine, bad
optional fields are nulled and kept in `quarantine.field_issues`."""

from collections.abc import Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.defs.resources import AkhbarHome
from etl.lib.frames import partition_day
from etl.lib.normalize import NormalizedBatch
from etl.lib.quality import validate_batch
from etl.lib.schema import ROW_NUMBER
from etl.lib.warehouse import load_quarantine, read_partition, replace_field_issues, replace_partition

# GX suite -> (the table its rows load into, quarantine table the failing rows go to)
SUITES = {
    "raw_articles": ("articles", "quarantine.articles"),
    "raw_images": ("images", "quarantine.images"),
    "raw_related_links": ("related_links", "quarantine.related_links"),
}
VALIDATED = dg.AssetKey(["work", "validated"])
FIELD_ISSUES = dg.AssetKey(["quarantine", "field_issues"])
# The UI labels a node with the last part of its key: "quarantined_articles" keeps it apart from raw/articles.
QUARANTINED = {
    suite: dg.AssetKey(["quarantine", f"quarantined_{suite.removeprefix('raw_')}"]) for suite in SUITES
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            VALIDATED,
            deps=[dg.AssetKey(["work", "normalized"])],
            description="Which of the day's normalized rows pass every critical expectation, and which of "
            "their fields load as null (`work.validated_rows`).",
            kinds={"python", "duckdb"},
        ),
        *[
            dg.AssetSpec(
                key,
                deps=[dg.AssetKey(["work", "normalized"])],
                description=f"`{SUITES[suite][1]}`: rows that failed a critical expectation, "
                "with the failing expectations and the run id.",
                kinds={"duckdb"},
            )
            for suite, key in QUARANTINED.items()
        ],
        dg.AssetSpec(
            FIELD_ISSUES,
            deps=[dg.AssetKey(["work", "normalized"])],
            description="Bad optional fields of rows that loaded without them: the value as printed, the rule it "
            "broke (an expectation, or the extraction rule that set it aside), the stage and the run id.",
            kinds={"duckdb"},
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(f"{suite}_gx", asset=VALIDATED, description=f"Great Expectations suite `{suite}`.")
        for suite in SUITES
    ],
    group_name="ingest",
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    pool="duckdb",
)
def validated(
    context: dg.AssetExecutionContext, akhbar: AkhbarHome, duckdb: DuckDBResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Run the GX suites; passing rows move on (bad optional fields nulled and kept as field issues), unusable
    rows are quarantined with their reasons."""
    day = partition_day(context.partition_key)
    with duckdb.get_connection() as conn:
        numbered = {
            table: read_partition(conn, f"work.normalized_{table}", day) for table, _ in SUITES.values()
        }
        rejected_values = read_partition(conn, "work.normalized_rejected_values", day)
    # GX sees the rows as normalization made them; its row positions map back to the rows' numbers
    batch = NormalizedBatch(
        articles=numbered["articles"].drop(ROW_NUMBER),
        images=numbered["images"].drop(ROW_NUMBER),
        related_links=numbered["related_links"].drop(ROW_NUMBER),
        rejected_values=rejected_values,
    )
    results = validate_batch(batch, run_id=context.run_id, docs_dir=akhbar.layout.data_docs)
    quarantined_total = 0
    field_issues = pl.concat([result.field_issues for result in results.values()])
    verdicts = pl.concat(
        [
            results[suite].verdicts.with_columns(
                pl.lit(table).alias("table_name"),
                numbered[table][ROW_NUMBER].gather(results[suite].verdicts[ROW_NUMBER]).alias(ROW_NUMBER),
            )
            for suite, (table, _) in SUITES.items()
        ],
        how="diagonal_relaxed",
    )
    with duckdb.get_connection() as conn:
        # the passed rows stay where normalization wrote them: the load reads them through these verdicts
        replace_partition(conn, "work.validated_rows", day, verdicts)
        for suite, (_table, quarantine_table) in SUITES.items():
            result = results[suite]
            if result.quarantined.height:
                load_quarantine(conn, quarantine_table, result.quarantined)
            quarantined_total += result.quarantined.height
        replace_field_issues(conn, day, field_issues, batch.articles.select("article_id", "content_hash"))
    for suite, result in results.items():
        for reason in result.warnings:
            context.log.warning(f"{suite}: {reason}")
        yield dg.AssetCheckResult(
            check_name=f"{suite}_gx",
            asset_key=VALIDATED,
            passed=result.success,
            # quarantine keeps bad rows out of the marts, so a failing suite warns instead of stopping the day
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "passed_rows": result.passed.height,
                "quarantined_rows": result.quarantined.height,
                "field_issues": result.field_issues.height,
                "warnings": dg.MetadataValue.json(result.warnings),
                "statistics": dg.MetadataValue.json(result.statistics),
            },
        )
    yield dg.MaterializeResult(
        asset_key=VALIDATED,
        metadata={
            "dagster/row_count": results["raw_articles"].passed.height,
            "passed_articles": results["raw_articles"].passed.height,
            "quarantined_rows": quarantined_total,
            "field_issues": field_issues.height,
        },
    )
    for suite, key in QUARANTINED.items():
        yield dg.MaterializeResult(
            asset_key=key, metadata={"dagster/row_count": results[suite].quarantined.height}
        )
    yield dg.MaterializeResult(
        asset_key=FIELD_ISSUES,
        metadata={
            "dagster/row_count": field_issues.height,
            "rules": dg.MetadataValue.json(dict(field_issues.group_by("rule").len().sort("rule").rows())),
        },
    )
