with source as (
    select * from {{ source('news', 'pages') }}
),

renamed as (
    select
        ---------- strings
        url as requested_url,
        final_url,
        site,
        outcome as last_outcome,
        etag,
        last_modified,
        body_sha256,
        archive_key,
        encoding,
        content_type,
        ---------- numerics
        status as http_status,
        ---------- timestamps
        first_seen_at,
        last_fetched_at,
        last_ok_at
    from source
)

select * from renamed
