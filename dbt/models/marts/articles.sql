with revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
),

pages as (
    select * from {{ ref('stg_news__pages') }}
),

article_lifetimes as (
    select
        article_id,
        min(valid_from) as first_fetched_at,
        max(last_fetched_at) as last_extracted_at
    from revisions
    group by article_id
),

-- a `not_modified` revisit refreshes the page without a new raw row, so the page state knows the latest fetch
page_fetches as (
    select
        final_url,
        min(first_seen_at) as first_seen_at,
        max(last_ok_at) as last_ok_at
    from pages
    where final_url is not null
    group by final_url
),

latest as (
    select * from revisions
    where is_latest
),

final as (
    select
        ---------- ids
        latest.article_id,
        latest.content_hash,
        latest.near_duplicate_cluster_id,
        ---------- strings
        latest.url,
        latest.canonical_url,
        latest.identity_source,
        latest.canonical_ignored_reason,
        latest.site,
        latest.title,
        latest.description,
        latest.language,
        latest.section,
        latest.body_text,
        latest.archive_key,
        latest.authors,
        latest.tags,
        ---------- numerics
        latest.word_count,
        latest.image_count,
        latest.related_link_count,
        latest.revision,
        ---------- timestamps
        latest.published_at,
        latest.modified_at,
        least(article_lifetimes.first_fetched_at, page_fetches.first_seen_at) as first_seen_at,
        greatest(article_lifetimes.last_extracted_at, page_fetches.last_ok_at) as last_fetched_at
    from latest
    inner join article_lifetimes
        on latest.article_id = article_lifetimes.article_id
    left join page_fetches
        on latest.url = page_fetches.final_url
)

select * from final
