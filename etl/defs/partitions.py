"""One partition per publication day: a run fetches, extracts and loads what was discovered that day."""

import dagster as dg

# end_offset=1 admits today's partition, so the day's news can be collected while it is still the day.
daily_partitions = dg.DailyPartitionsDefinition(start_date="2020-01-01", end_offset=1)

# Each day is its own run, for every asset alike: a backfill of a week is seven runs, each retryable alone.
one_day_per_run = dg.BackfillPolicy.multi_run(1)

# Steps that talk to news sites or swap files can fail for reasons that pass (a site down for a minute, a
# locked file); a retry after a short, growing, jittered wait saves the day's run. Stages are idempotent, so retrying
# one never duplicates a row. (dbt is not retried: its failures are failing data tests, which a retry repeats.)
transient_retry = dg.RetryPolicy(
    max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
