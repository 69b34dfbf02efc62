with source as (
    select * from {{ source('news', 'fetch_log') }}
),

renamed as (
    select
        ---------- ids
        run_id,
        ---------- strings
        url as requested_url,
        final_url,
        site,
        outcome,
        content_type,
        encoding,
        archive_key,
        body_sha256,
        etag,
        last_modified,
        error,
        ---------- numerics
        attempt,
        status as http_status,
        bytes_received,
        bytes_decoded,
        elapsed_ms,
        ---------- booleans
        is_final,
        ---------- dates
        partition_date,
        ---------- timestamps
        fetched_at,
        loaded_at
    from source
)

select * from renamed
