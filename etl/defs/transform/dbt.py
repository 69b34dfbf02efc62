"""Every dbt model is a Dagster asset downstream of the raw tables; dbt tests become asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from etl.defs.partitions import daily_partitions, one_day_per_run
from etl.defs.transform.project import dbt_project


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=daily_partitions,
    backfill_policy=one_day_per_run,
    pool="duckdb",
)
def news_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):  # noqa: ANN201
    """`dbt build` of the selected models: staging views, intermediate models and the marts, with their tests."""
    yield from dbt.cli(["build"], context=context).stream()
