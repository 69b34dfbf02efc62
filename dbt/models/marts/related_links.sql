{{
    config(
        materialized='incremental',
        incremental_strategy='replace_articles',
        unique_key='link_id',
    )
}}

{#- Incremental as int_related_links_resolved: the links of the run's articles, and the links to the URLs those
    articles answer to (macros/replace_articles.sql). -#}
-- depends_on: {{ ref('int_articles_touched') }}  (read only when incremental, so dbt must be told)
with resolved_links as (
    select * from {{ ref('int_related_links_resolved') }}
    {% if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_articles_touched') }})
        or url in (select answered_url from {{ ref('int_articles_touched') }})
    {% endif %}
),

final as (
    select
        ---------- ids
        link_id,
        article_id,
        target_article_id,
        ---------- strings
        url,
        title,
        section,
        summary,
        image_url,
        image_caption,
        byline,
        byline_source,
        byline_kind,
        byline_place,
        ---------- numerics
        position
    from resolved_links
)

select * from final
