{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
    )
}}

{#- Incremental by article: every article that received a raw row since the last build has all its
    revisions recomputed (a new revision closes the previous one's valid_to), the rest stay as they are. -#}
with all_revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
),

raw_articles as (
    select * from {{ ref('stg_news__articles') }}
),

revisions as (
    select * from all_revisions
    {% if is_incremental() %}
    where article_id in (
        select article_id from raw_articles
        -- >= and a lookback: recomputing an article twice is harmless, missing one is not
        where loaded_at >= (
            select coalesce(max(loaded_at), '-infinity'::timestamptz) from {{ this }}
        ) - interval '{{ var("incremental_lookback_hours") }} hours'
    )
    {% endif %}
),

final as (
    select
        ---------- ids
        revision_id,
        article_id,
        content_hash,
        ---------- strings
        title,
        previous_title,
        case
            when revision = 1 then 'created'
            when (has_title_changed::int + has_body_changed::int + has_images_changed::int
                + has_byline_changed::int) > 1 then 'multiple'
            when has_title_changed then 'title'
            when has_body_changed then 'body'
            when has_images_changed then 'images'
            when has_byline_changed then 'byline'
            else 'other'
        end as change_kind,
        list_filter(
            [
                case when has_title_changed then 'title' end,
                case when has_body_changed then 'body' end,
                case when has_images_changed then 'images' end,
                case when has_byline_changed then 'byline' end
            ],
            part -> part is not null
        ) as changed_parts,
        authors,
        ---------- numerics
        revision,
        word_count,
        image_count,
        ---------- booleans
        is_latest,
        has_title_changed,
        has_body_changed,
        has_images_changed,
        has_byline_changed,
        ---------- timestamps
        valid_from,
        valid_to,
        loaded_at
    from revisions
)

select * from final
