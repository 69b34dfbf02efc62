{{ config(materialized='table') }}

{#- The articles the run's window loaded a raw row of, each with every URL it answers to (the fetched and the
    canonical URL of each of its revisions, old and new): the incremental marts rewrite these articles' rows,
    and revisit the stored links to these URLs, whose target may be one of these articles now or no longer.
    A table, rebuilt every run: it is small on a day and every incremental model reads it. -#}
with window_articles as (
    select distinct article_id
    from {{ ref('stg_news__articles') }}
    where {{ in_run_window('partition_date') }}
),

revisions as (
    select article_id, url, canonical_url
    from {{ ref('int_article_revisions_numbered') }}
    where article_id in (select article_id from window_articles)
),

answered_urls as (
    select article_id, url as answered_url
    from revisions
    union
    select article_id, canonical_url
    from revisions
    where canonical_url is not null
)

select * from answered_urls
