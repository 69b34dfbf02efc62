{{
    config(
        materialized='incremental',
        incremental_strategy='replace_articles',
    )
}}

{#- Incremental by article: the run replaces all the images of the articles it loaded a raw row of
    (macros/replace_articles.sql), so images a new revision dropped go too. -#}
-- depends_on: {{ ref('int_articles_touched') }}  (read only when incremental, so dbt must be told)
with images as (
    select * from {{ ref('stg_news__images') }}
    {% if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_articles_touched') }})
    {% endif %}
),

latest_revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
    where is_latest
    {% if is_incremental() %}
        and article_id in (select article_id from {{ ref('int_articles_touched') }})
    {% endif %}
),

final as (
    select
        ---------- ids
        images.image_id,
        images.article_id,
        ---------- strings
        images.url,
        images.caption,
        images.alt_text,
        images.credit_raw,
        images.credit,
        images.caption_source,
        images.credit_source,
        ---------- numerics
        images.position,
        images.width,
        images.height,
        ---------- booleans
        images.is_lead,
        images.is_archive_photo,
        ---------- dates
        latest_revisions.first_partition_date as partition_date
    from images
    inner join latest_revisions
        on images.article_id = latest_revisions.article_id
        and images.content_hash = latest_revisions.content_hash
    qualify row_number() over (partition by images.image_id order by images.loaded_at) = 1
)

select * from final
