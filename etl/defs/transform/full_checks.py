"""The weekly full check: every dbt test over whole tables.

A day's `dbt build` tests the rows of the articles it loaded (macros/run_window.sql), which proves for them
what the full tests proved for the rest, the build having left the rest alone. The week's full run proves it
again over everything, so no property rests on one day's proof: a row changed behind the builds' back (by hand,
by a restored file) or a test that only whole tables can fail shows here.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from etl.defs.resources import AkhbarHome
from etl.defs.transform.project import warehouse_vars


@dg.op(pool="duckdb")
def dbt_test_whole_tables(
    context: dg.OpExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource, akhbar: AkhbarHome
) -> None:
    """`dbt test` without a partition window: each data test and unit test over its whole table."""
    invocation = dbt.cli(
        ["test", "--vars", json.dumps(warehouse_vars(duckdb.database))],
        target_path=akhbar.layout.dbt_target.resolve(),
        raise_on_error=False,
    )
    invocation.wait()
    if not invocation.is_successful() and not (invocation.target_path / "run_results.json").is_file():
        raise dg.Failure(description="dbt test did not run: its log above says why")
    results = invocation.get_artifact("run_results.json")["results"]
    failed = [
        f"{result['unique_id']}: {result['status']} {result.get('message') or ''}".strip()
        for result in results
        if result["status"] in ("fail", "error")
    ]
    context.log.info(f"dbt test: {len(results)} tests over whole tables, {len(failed)} failed")
    if failed or not invocation.is_successful():
        raise dg.Failure(
            description=f"{len(failed)} dbt tests failed over whole tables",
            metadata={"failed": dg.MetadataValue.json(failed)},
        )


@dg.job(description="Every dbt test over whole tables, not only the day's rows that the daily build tests.")
def weekly_full_checks() -> None:
    dbt_test_whole_tables()


# Sunday early morning (UTC): after the night's daily run, before the next; the duckdb pool keeps it apart from
# a run that writes.
weekly_full_checks_schedule = dg.ScheduleDefinition(
    job=weekly_full_checks,
    cron_schedule="0 4 * * 0",
    execution_timezone="UTC",
    description="Runs every dbt test over whole tables on Sundays at 04:00 UTC.",
)
