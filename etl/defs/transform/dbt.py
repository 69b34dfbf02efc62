"""Every dbt model is a Dagster asset downstream of the raw tables; dbt tests become asset checks."""

import contextlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.defs.progress import STAGE_SUMMARY, is_terse
from etl.defs.resources import AkhbarHome
from etl.defs.transform.metadata import stream_with_row_counts
from etl.defs.transform.project import dbt_project, warehouse_vars
from etl.defs.transform.translator import AkhbarDbtTranslator
from etl.lib.warehouse import is_current

# the append-only tables a load writes: while the published copy holds all their rows, the marts are current
LOADED_TABLES = tuple(
    f"{schema}.{table}"
    for schema in ("raw", "quarantine")
    for table in ("articles", "images", "related_links")
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=AkhbarDbtTranslator(),
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    pool="duckdb",
)
def news_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource, akhbar: AkhbarHome
) -> Iterator[Any]:
    """`dbt build` of the selected models: staging views, intermediate models and the marts, with their tests."""
    with duckdb.get_connection() as conn:
        current = is_current(conn, akhbar.layout.published, LOADED_TABLES)
    if current:
        # nothing loaded since the last published build (a day whose pages were all unchanged): the marts would
        # come out the same, so dbt is not started (the day's fetch log reaches site_daily with the next build
        # that has something to load). A run killed between its load and its publish leaves the copy behind
        # the warehouse, and the next run, of whatever day, builds (catching up the rows that run loaded,
        # dbt/macros/mart_builds.sql) and publishes again.
        context.log.info(
            "no row loaded since the published copy was made: the marts are current, dbt build skipped"
        )
        return
    # One target folder per home, not one per run: the folders stop piling up (5 MB a run), and dbt finds the
    # parse cache its last build left for this very profile (a cache made for another warehouse path is
    # refused, and a full parse costs 2 s). The duckdb pool already keeps two builds of a home apart.
    invocation = dbt.cli(
        [
            "build",
            "--vars",
            json.dumps({**warehouse_vars(duckdb.database), **partition_window_vars(context)}),
        ],
        context=context,
        target_path=akhbar.layout.dbt_target.resolve(),
    )
    events = stream_with_row_counts(invocation)
    if not is_terse(context.run.run_config):
        yield from events
        return
    # dagster-dbt writes every line of dbt's log to stdout (about 190 a build): an operator's terminal gets
    # one line, and dbt's own account of what failed when something does
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            yield from events
    except Exception:
        for line in _failure_lines(log.getvalue()):
            context.log.error(line)
        raise
    context.log.info(_summary(invocation), extra={STAGE_SUMMARY: True})


def partition_window_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The partition's window as dbt vars (macros/run_window.sql): the incremental marts read that day's raw rows
    and those loaded since the last complete build (a killed run's), and a backfill, one day per run, rebuilds
    each day's articles alone."""
    window = context.partition_time_window
    return {"min_date": window.start.isoformat(), "max_date": window.end.isoformat()}


def _summary(invocation: DbtCliInvocation) -> str:
    """One line from `run_results.json`: how many models and tests ended how, and how long the build took."""
    results = invocation.get_artifact("run_results.json")
    statuses = Counter(result["status"] for result in results["results"])
    counts = {
        "ok": statuses["success"] + statuses["pass"],
        "warn": statuses["warn"],
        "error": statuses["error"] + statuses["fail"] + statuses["runtime error"],
        "skip": statuses["skipped"],
    }
    elapsed = results.get("elapsed_time") or 0.0
    return (
        f"dbt build: {len(results['results'])} models and tests, "
        + ", ".join(f"{label} {count}" for label, count in counts.items())
        + f" ({elapsed:.1f}s)"
    )


def _failure_lines(log: str) -> list[str]:
    """dbt's report of what failed: the lines after its "Completed with N errors" (or its last lines)."""
    lines = [line for line in log.splitlines() if line.strip()]
    start = next((n for n, line in enumerate(lines) if line.startswith("Completed with")), len(lines) - 20)
    return lines[max(start, 0) :][:40]
