{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
    )
}}

{#- Incremental by article: every article the run loaded a raw row of has its revisions copied again from
    int_article_revisions_numbered (a new revision closes the previous one's valid_to), the rest stay as they
    are. -#}
-- depends_on: {{ ref('int_articles_touched') }}  (read only when incremental, so dbt must be told)
with revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
    {% if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_articles_touched') }})
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
