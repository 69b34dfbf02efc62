with source as (
    select * from {{ source('news', 'articles') }}
),

renamed as (
    select
        ---------- ids
        article_id,
        content_hash,
        near_duplicate_cluster_id,
        run_id,
        ---------- strings
        url,
        canonical_url,
        identity_source,
        canonical_ignored_reason,
        site,
        title,
        description,
        language,
        section,
        body_text,
        archive_key,
        field_sources,
        ---------- lists
        coalesce(authors, []::varchar[]) as authors,
        coalesce(tags, []::varchar[]) as tags,
        ---------- numerics
        word_count,
        image_count,
        related_link_count,
        ---------- dates
        partition_date,
        ---------- timestamps
        published_at,
        modified_at,
        fetched_at,
        loaded_at
    from source
)

select * from renamed
