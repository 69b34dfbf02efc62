"""One partition per publication day: a run fetches, extracts and loads what was discovered that day.

A partitions definition is fixed when the definitions are imported, and must be the same in every process of a
run (code server, run worker, step processes) and admit any day a run asks for. The home's data, though, grows
while the UI is open, and one test process sees many homes. So the start is not read from the home here: the
UI launcher (`etl/ui.py`) reads it once, with `first_day`, and hands it to every process of `dagster dev` in
`AKHBAR_FIRST_DAY`; the UI then counts partitions from the home's first day instead of 2020. Without it (the
`akhbar` command, tests) the partitions begin at EARLIEST_DAY, so a run or a backfill of any day since is valid.
"""

import os
from datetime import date

import dagster as dg

from etl.lib.sites import SitesFile

FIRST_DAY_VARIABLE = "AKHBAR_FIRST_DAY"
EARLIEST_DAY = date(2020, 1, 1)

# end_offset=1 admits today's partition, so the day's news can be collected while it is still the day.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=os.environ.get(FIRST_DAY_VARIABLE) or EARLIEST_DAY.isoformat(), end_offset=1
)

# Each day is its own run, for every asset alike: a backfill of a week is seven runs, each retryable alone.
one_day_per_run = dg.BackfillPolicy.multi_run(1)

# Steps that talk to news sites or swap files can fail for reasons that pass (a site down for a minute, a
# locked file); a retry after a short, growing, jittered wait saves the day's run. Stages are idempotent, so retrying
# one never duplicates a row. (dbt is not retried: its failures are failing data tests, which a retry repeats.)
transient_retry = dg.RetryPolicy(
    max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def first_day(sites: SitesFile, instance: dg.DagsterInstance, today: date) -> date:
    """The day a home's partitions begin: its first materialized partition or the sites file's `start_date`,
    whichever is earlier; today for a home that has neither."""
    days = [date.fromisoformat(day) for day in _materialized_days(instance)]
    if sites.start_date:
        days.append(sites.start_date)
    return max(min(days, default=today), EARLIEST_DAY)


def _materialized_days(instance: dg.DagsterInstance) -> set[str]:
    return {
        partition
        for key in instance.get_asset_keys()
        for partition in instance.get_materialized_partitions(key)
    }
