with source as (
    select * from {{ source('news', 'extraction_outcomes') }}
),

renamed as (
    select
        ---------- ids
        run_id,
        ---------- strings
        archive_key,
        page_url,
        site,
        outcome,
        error,
        ---------- dates
        partition_date,
        ---------- timestamps
        loaded_at
    from source
)

select * from renamed
