with source as (
    select * from {{ source('news', 'images') }}
),

renamed as (
    select
        ---------- ids
        image_id,
        article_id,
        content_hash,
        run_id,
        ---------- strings
        url,
        caption,
        alt_text,
        credit_raw,
        credit,
        caption_source,
        credit_source,
        ---------- numerics
        position,
        width,
        height,
        ---------- booleans
        coalesce(is_lead, false) as is_lead,
        coalesce(is_archive_photo, false) as is_archive_photo,
        ---------- dates
        partition_date,
        ---------- timestamps
        loaded_at
    from source
)

select * from renamed
