with source as (
    select * from {{ source('news', 'discovered_urls') }}
),

renamed as (
    select
        ---------- ids
        run_id,
        ---------- strings
        url,
        site,
        source_kind,
        source_url,
        title as announced_title,
        ---------- lists
        coalesce(keywords, []::varchar[]) as keywords,
        ---------- dates
        partition_date,
        ---------- timestamps
        published_at as announced_published_at,
        lastmod as announced_modified_at,
        loaded_at
    from source
)

select * from renamed
