-- The latest day's failed pages, by site and reason: the fetches that failed, and the pages fetched fine that
-- extraction found to be no article (a bot wall, an empty shell), joined as the `site_daily` funnel joins them.
with verdicts as (
    -- content-addressed: one verdict holds for every URL that brought the body
    select archive_key, any_value(outcome) as outcome, any_value(error) as error
    from raw.extraction_outcomes
    group by archive_key
),

final_attempts as (
    select
        fetch_log.site,
        coalesce(verdicts.outcome, fetch_log.outcome) as outcome,
        coalesce(verdicts.error, fetch_log.error) as error
    from raw.fetch_log
    left join verdicts
        on fetch_log.archive_key = verdicts.archive_key
        and fetch_log.outcome = 'ok'
    where fetch_log.is_final
        and fetch_log.partition_date = (select max(partition_date) from raw.fetch_log)
)

select
    site,
    outcome,
    count(*) as failed_pages,
    any_value(error) as example_error
from final_attempts
where outcome not in ('ok', 'not_modified')
group by site, outcome
order by site, failed_pages desc
