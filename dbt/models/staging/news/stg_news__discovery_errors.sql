with source as (
    select * from {{ source('news', 'discovery_errors') }}
),

renamed as (
    select
        ---------- ids
        run_id,
        ---------- strings
        site,
        source_url,
        message as error_message,
        ---------- dates
        partition_date,
        ---------- timestamps
        loaded_at
    from source
)

select * from renamed
