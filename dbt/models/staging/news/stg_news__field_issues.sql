with source as (
    select * from {{ source('quarantine', 'field_issues') }}
),

renamed as (
    select
        ---------- ids
        article_id,
        image_id,
        link_id,
        content_hash,
        run_id,
        ---------- strings
        table_name,
        site,
        field,
        value,
        rule,
        stage,
        source,
        ---------- dates
        partition_date,
        ---------- timestamps
        quarantined_at
    from source
)

select * from renamed
