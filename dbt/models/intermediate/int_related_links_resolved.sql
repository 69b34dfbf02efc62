{{
    config(
        materialized='incremental',
        incremental_strategy='replace_articles',
        unique_key='link_id',
        on_schema_change='append_new_columns',
    )
}}

{#- The related links of each article's latest revision, each resolved to the article it points at when that
    article is in the warehouse too: a link matches an article's fetched URL first, its canonical URL second,
    and only a canonical URL that identifies its article (a site root or a section page several articles
    name would resolve a link to the home page to one of them).

    Incremental: the links of the run's articles are replaced (macros/replace_articles.sql), and the stored
    links of other articles to a URL a run's article answers to, now or before, are resolved again: a link
    whose target arrives days later gets its target_article_id then. No other link is read. -#}
-- depends_on: {{ ref('int_articles_touched') }}  (read only when incremental, so dbt must be told)
with related_links as (
    select * from {{ ref('stg_news__related_links') }}
),

latest_revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
    where is_latest
),

{% if is_incremental() %}
touched as (
    select * from {{ ref('int_articles_touched') }}
),
{% endif %}

latest_links as (
    select related_links.*
    from related_links
    inner join latest_revisions
        on related_links.article_id = latest_revisions.article_id
        and related_links.content_hash = latest_revisions.content_hash
    {% if is_incremental() %}
    where related_links.article_id in (select article_id from touched)
    {% endif %}
    qualify row_number() over (partition by related_links.link_id order by related_links.loaded_at) = 1
),

links as (
    select * from latest_links
    {% if is_incremental() %}
    union all by name
    select * exclude (target_article_id) from {{ this }}
    where url in (select answered_url from touched)
        and article_id not in (select article_id from touched)
    {% endif %}
),

url_candidates as (
    select url as match_url, article_id, 1 as match_rank
    from latest_revisions
    {% if is_incremental() %}
    where url in (select url from links)
    {% endif %}
    union all
    select canonical_url as match_url, article_id, 2 as match_rank
    from latest_revisions
    where canonical_url is not null and identity_source = 'canonical_url'
    {% if is_incremental() %}
        and canonical_url in (select url from links)
    {% endif %}
),

url_lookup as (
    select
        match_url,
        arg_min(article_id, [match_rank::varchar, article_id]) as target_article_id
    from url_candidates
    group by match_url
),

final as (
    select
        links.*,
        url_lookup.target_article_id
    from links
    left join url_lookup
        on links.url = url_lookup.match_url
)

select * from final
