{{ config(materialized='table') }}

{#- The articles of the run's slice (macros/run_window.sql: the window's days, and whatever was loaded since
    the marts' last complete build), each with every URL it answers to (the fetched and the canonical URL of
    each of its revisions, old and new): the incremental marts rewrite these articles' rows, and revisit the
    stored links to these URLs, whose target may be one of these articles now or no longer. `loaded_at`, the
    newest load of the article's rows in the slice, is what the build records as read (macros/mart_builds.sql).
    A table, rebuilt every run: it is small on a day and every incremental model reads it. -#}
with slice_articles as (
    select article_id, max(loaded_at) as loaded_at
    from ({{ run_slice(ref('stg_news__articles')) }})
    group by article_id
),

revisions as (
    select article_id, url, canonical_url
    from {{ ref('int_article_revisions_numbered') }}
    where article_id in (select article_id from slice_articles)
),

answered_urls as (
    select article_id, url as answered_url
    from revisions
    union
    select article_id, canonical_url
    from revisions
    where canonical_url is not null
),

final as (
    select answered_urls.article_id, answered_urls.answered_url, slice_articles.loaded_at
    from answered_urls
    inner join slice_articles on answered_urls.article_id = slice_articles.article_id
)

select * from final
