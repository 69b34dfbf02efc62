{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='partition_date',
    )
}}

{#- The funnel of one site on one partition day. Each stage contributes events that are stacked and then
    counted, so no stage needs a join and a site that only failed still gets its row.
    Incremental by day: a day that received any raw row since the last build is recomputed whole. -#}
with discovered_urls as (
    select * from {{ ref('stg_news__discovered_urls') }}
),

discovery_errors as (
    select * from {{ ref('stg_news__discovery_errors') }}
),

fetch_attempts as (
    select * from {{ ref('stg_news__fetch_attempts') }}
),

-- extraction's verdict on a body that is no article: the page's word in the funnel, where the fetch log says
-- the fetcher got it ok (content-addressed, so one verdict holds for every URL that brought the body)
extraction_outcomes as (
    select archive_key, any_value(outcome) as outcome
    from {{ ref('stg_news__extraction_outcomes') }}
    group by archive_key
),

-- a day run twice fetches a URL twice (the second time a 304): the funnel counts each URL's last word
final_attempts as (
    select
        fetch_attempts.* replace (
            case
                when fetch_attempts.outcome = 'ok' and extraction_outcomes.outcome is not null
                    then extraction_outcomes.outcome
                else fetch_attempts.outcome
            end as outcome
        )
    from fetch_attempts
    left join extraction_outcomes on fetch_attempts.archive_key = extraction_outcomes.archive_key
    where fetch_attempts.is_final
    qualify row_number() over (
        partition by fetch_attempts.site, fetch_attempts.partition_date, fetch_attempts.requested_url
        order by fetch_attempts.fetched_at desc
    ) = 1
),

articles as (
    select * from {{ ref('stg_news__articles') }}
),

quarantined_articles as (
    select * from {{ ref('stg_news__quarantined_articles') }}
),

{% if is_incremental() %}
watermark as (
    select
        coalesce(max(last_loaded_at), '-infinity'::timestamptz)
        - interval '{{ var("incremental_lookback_hours") }} hours' as watermark
    from {{ this }}
),

touched_days as (
    select partition_date from discovered_urls where loaded_at >= (select watermark from watermark)
    union
    select partition_date from discovery_errors where loaded_at >= (select watermark from watermark)
    union
    select partition_date from fetch_attempts where loaded_at >= (select watermark from watermark)
    union
    select partition_date from {{ ref('stg_news__extraction_outcomes') }}
    where loaded_at >= (select watermark from watermark)
    union
    select partition_date from articles where loaded_at >= (select watermark from watermark)
    union
    select partition_date from quarantined_articles where quarantined_at >= (select watermark from watermark)
),
{% endif %}

events as (
    select site, partition_date, 'discovered' as stage, url as item, null as outcome, loaded_at
    from discovered_urls
    union all
    -- a source that could not be read: a site that is down has only these, and still gets its row
    select site, partition_date, 'source_failed', source_url, null, loaded_at
    from discovery_errors
    union all
    select site, partition_date, 'attempted', requested_url, outcome, loaded_at
    from fetch_attempts
    union all
    select site, partition_date, 'fetched', requested_url, outcome, loaded_at
    from final_attempts
    union all
    select site, partition_date, 'loaded', article_id, null, loaded_at
    from articles
    union all
    select site, partition_date, 'quarantined', coalesce(url, row_hash), null, quarantined_at
    from quarantined_articles
),

scoped_events as (
    select * from events
    {% if is_incremental() %}
    where partition_date in (select partition_date from touched_days)
    {% endif %}
),

failures as (
    select site, partition_date, outcome, count(distinct item) as failed_urls
    from scoped_events
    where stage = 'fetched' and outcome not in ('ok', 'not_modified')
    group by site, partition_date, outcome
),

failures_by_outcome as (
    select site, partition_date, map_from_entries(list((outcome, failed_urls) order by outcome)) as failures
    from failures
    group by site, partition_date
),

counted as (
    select
        site,
        partition_date,
        count(distinct item) filter (where stage = 'discovered') as discovered_urls,
        count(distinct item) filter (where stage = 'source_failed') as failed_sources,
        count(*) filter (where stage = 'attempted') as fetch_attempts,
        count(distinct item) filter (where stage = 'fetched') as fetched_urls,
        count(distinct item) filter (where stage = 'fetched' and outcome = 'ok') as fetched_ok_urls,
        count(distinct item) filter (where stage = 'fetched' and outcome = 'not_modified') as not_modified_urls,
        count(distinct item) filter (
            where stage = 'fetched' and outcome not in ('ok', 'not_modified')
        ) as failed_urls,
        count(distinct item) filter (where stage = 'loaded') as loaded_articles,
        count(distinct item) filter (where stage = 'quarantined') as quarantined_articles,
        max(loaded_at) as last_loaded_at
    from scoped_events
    group by site, partition_date
),

final as (
    select
        ---------- ids
        counted.site || '/' || strftime(counted.partition_date, '%Y-%m-%d') as site_day_id,
        ---------- strings
        counted.site,
        coalesce(failures_by_outcome.failures, map()::map(varchar, bigint)) as failures_by_outcome,
        ---------- numerics
        counted.discovered_urls,
        counted.failed_sources,
        counted.fetch_attempts,
        counted.fetched_urls,
        counted.fetched_ok_urls,
        counted.not_modified_urls,
        counted.failed_urls,
        counted.loaded_articles + counted.quarantined_articles as extracted_articles,
        counted.quarantined_articles,
        counted.loaded_articles,
        ---------- dates
        counted.partition_date,
        ---------- timestamps
        counted.last_loaded_at
    from counted
    left join failures_by_outcome
        on counted.site = failures_by_outcome.site
        and counted.partition_date = failures_by_outcome.partition_date
)

select * from final
