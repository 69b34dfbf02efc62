{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
    )
}}

{#- Incremental by article: the run rewrites the row of every article it loaded a raw row of, and of every
    article whose page a fetch confirmed since the stored rows' last fetch (a 304 loads no raw row, yet moves
    last_fetched_at). -#}
-- depends_on: {{ ref('int_articles_touched') }}  (read only when incremental, so dbt must be told)
with revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
),

pages as (
    select * from {{ ref('stg_news__pages') }}
),

{% if is_incremental() %}
refetched_urls as (
    select final_url
    from pages
    -- >= and a lookback: rewriting an article twice is harmless, missing one is not
    where last_ok_at >= (
        select coalesce(max(last_fetched_at), '-infinity'::timestamptz) from {{ this }}
    ) - interval '{{ var("incremental_lookback_hours") }} hours'
),

touched_articles as (
    select article_id from {{ ref('int_articles_touched') }}
    union
    select article_id from {{ this }}
    where url in (select final_url from refetched_urls)
),
{% endif %}

scoped_revisions as (
    select * from revisions
    {% if is_incremental() %}
    where article_id in (select article_id from touched_articles)
    {% endif %}
),

article_lifetimes as (
    select
        article_id,
        min(valid_from) as first_fetched_at,
        max(last_fetched_at) as last_extracted_at
    from scoped_revisions
    group by article_id
),

latest as (
    select * from scoped_revisions
    where is_latest
),

-- a `not_modified` revisit refreshes the page without a new raw row, so the page state knows the latest fetch
page_fetches as (
    select
        final_url,
        min(first_seen_at) as first_seen_at,
        max(last_ok_at) as last_ok_at
    from pages
    where final_url in (select url from latest)
    group by final_url
),

final as (
    select
        ---------- ids
        latest.article_id,
        latest.content_hash,
        latest.near_duplicate_cluster_id,
        ---------- strings
        latest.url,
        latest.canonical_url,
        latest.identity_source,
        latest.canonical_ignored_reason,
        latest.site,
        latest.title,
        latest.description,
        latest.language,
        latest.section,
        latest.body_text,
        latest.archive_key,
        latest.authors,
        latest.tags,
        ---------- numerics
        latest.word_count,
        latest.image_count,
        latest.related_link_count,
        latest.revision,
        ---------- timestamps
        latest.published_at,
        latest.modified_at,
        least(article_lifetimes.first_fetched_at, page_fetches.first_seen_at) as first_seen_at,
        greatest(article_lifetimes.last_extracted_at, page_fetches.last_ok_at) as last_fetched_at
    from latest
    inner join article_lifetimes
        on latest.article_id = article_lifetimes.article_id
    left join page_fetches
        on latest.url = page_fetches.final_url
)

select * from final
