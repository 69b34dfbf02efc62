with source as (
    select * from {{ source('quarantine', 'related_links') }}
),

renamed as (
    select
        ---------- ids
        link_id,
        article_id,
        content_hash,
        row_hash,
        run_id,
        ---------- lists
        coalesce(failed_expectations, []::varchar[]) as failed_expectations,
        ---------- dates
        partition_date,
        ---------- timestamps
        quarantined_at
    from source
)

select * from renamed
