with source as (
    select * from {{ source('quarantine', 'articles') }}
),

renamed as (
    select
        ---------- ids
        article_id,
        content_hash,
        row_hash,
        run_id,
        ---------- strings
        url,
        site,
        title,
        ---------- lists
        coalesce(failed_expectations, []::varchar[]) as failed_expectations,
        ---------- dates
        partition_date,
        ---------- timestamps
        quarantined_at
    from source
)

select * from renamed
