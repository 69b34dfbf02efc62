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
from etl.lib.warehouse import load_quarantine, read_partition, replace_field_issues, replace_partition

# GX suite -> (scratch table the passing rows go to, quarantine table the failing rows go to)
SUITES = {
    "raw_articles": ("work.validated_articles", "quarantine.articles"),
    "raw_images": ("work.validated_images", "quarantine.images"),
    "raw_related_links": ("work.validated_related_links", "quarantine.related_links"),
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
            description="The day's normalized rows that pass every critical expectation (`work.validated_*`).",
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
        batch = NormalizedBatch(
            articles=read_partition(conn, "work.normalized_articles", day),
            images=read_partition(conn, "work.normalized_images", day),
            related_links=read_partition(conn, "work.normalized_related_links", day),
            rejected_values=read_partition(conn, "work.normalized_rejected_values", day),
        )
    results = validate_batch(batch, run_id=context.run_id, docs_dir=akhbar.layout.data_docs)
    quarantined_total = 0
    field_issues = pl.concat([result.field_issues for result in results.values()])
    with duckdb.get_connection() as conn:
        for suite, (scratch_table, quarantine_table) in SUITES.items():
            result = results[suite]
            replace_partition(conn, scratch_table, day, result.passed)
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
