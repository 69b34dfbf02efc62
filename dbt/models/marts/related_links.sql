with resolved_links as (
    select * from {{ ref('int_related_links_resolved') }}
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
