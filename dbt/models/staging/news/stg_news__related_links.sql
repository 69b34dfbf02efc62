with source as (
    select * from {{ source('news', 'related_links') }}
),

renamed as (
    select
        ---------- ids
        link_id,
        article_id,
        content_hash,
        run_id,
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
        position,
        ---------- dates
        partition_date,
        ---------- timestamps
        loaded_at
    from source
)

select * from renamed
