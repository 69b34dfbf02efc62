-- The latest day's failed fetches, by site and reason.
select
    site,
    outcome,
    count(*) as failed_pages,
    any_value(error) as example_error
from raw.fetch_log
where is_final
    and outcome not in ('ok', 'not_modified')
    and partition_date = (select max(partition_date) from raw.fetch_log)
group by site, outcome
order by site, failed_pages desc
