"""The daily job (the whole graph for one partition) and its schedule."""

import dagster as dg

from etl.defs.partitions import daily_partitions
from etl.defs.quality.checks import mart_freshness_checks

daily_pipeline = dg.define_asset_job(
    "daily_pipeline",
    # freshness is judged by its own sensor, between runs, not inside the run that refreshes the marts
    selection=dg.AssetSelection.all() - dg.AssetSelection.checks(*mart_freshness_checks),
    partitions_def=daily_partitions,
    description="Discover, fetch, extract, normalize, validate, load, model and publish one day.",
)

# The day's partition runs late in the evening (UTC), when most of the day's articles are out; the next
# morning's run of the sensor catches stragglers.
daily_schedule = dg.build_schedule_from_partitioned_job(daily_pipeline, hour_of_day=22, minute_of_hour=0)
