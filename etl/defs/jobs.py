"""The daily job (the whole graph for one partition) and its schedule."""

import dagster as dg

from etl.defs.partitions import daily_partitions

daily_pipeline = dg.define_asset_job(
    "daily_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Discover, fetch, extract, normalize, validate, load, model and publish one day.",
)

# The day's partition runs late in the evening (UTC), when most of the day's articles are out; the next
# morning's run of the sensor catches stragglers.
daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_pipeline,
    hour_of_day=22,
    minute_of_hour=0,
    description="Runs the day's partition of the whole graph at 22:00 UTC, when most of its articles are out.",
)
