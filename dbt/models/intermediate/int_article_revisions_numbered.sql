{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='article_id',
        on_schema_change='append_new_columns',
    )
}}

{#- One row per article revision. raw.articles holds one row per (article_id, content_hash, partition_date):
    consecutive fetches with the same content hash are one revision (an island), so content that changes
    and later changes back still counts as two changes. Materialized, not a view: four marts and the link
    resolution read it. Incremental by article: an article with raw rows loaded since the last build has all
    its revisions recomputed, so its window functions see its whole history; the others are not read. -#}
with all_articles as (
    select * from {{ ref('stg_news__articles') }}
),

all_images as (
    select * from {{ ref('stg_news__images') }}
),

{% if is_incremental() %}
touched_articles as (
    select distinct article_id
    from all_articles
    -- >= and a lookback: recomputing an article twice is harmless, missing one is not
    where loaded_at >= (
        select coalesce(max(loaded_at), '-infinity'::timestamptz) from {{ this }}
    ) - interval '{{ var("incremental_lookback_hours") }} hours'
),
{% endif %}

articles as (
    select * from all_articles
    {% if is_incremental() %}
    where article_id in (select article_id from touched_articles)
    {% endif %}
),

images as (
    select * from all_images
    {% if is_incremental() %}
    where article_id in (select article_id from touched_articles)
    {% endif %}
),

image_signatures as (
    select
        article_id,
        content_hash,
        md5(string_agg(
            concat_ws('|', url, coalesce(caption, ''), coalesce(credit, '')), chr(10) order by position, url
        )) as image_signature
    from images
    group by article_id, content_hash
),

fetches as (
    select
        *,
        -- a fetch starts a revision when its content differs from the previous fetch of the article
        case
            when content_hash is distinct from lag(content_hash) over (
                partition by article_id order by fetched_at, partition_date
            ) then 1 else 0
        end as is_revision_start
    from articles
),

fetches_numbered as (
    select
        *,
        cast(sum(is_revision_start) over (
            partition by article_id order by fetched_at, partition_date rows unbounded preceding
        ) as integer) as revision
    from fetches
),

revisions as (
    select
        article_id,
        revision,
        arg_max(content_hash, fetched_at) as content_hash,
        arg_max(url, fetched_at) as url,
        arg_max(canonical_url, fetched_at) as canonical_url,
        arg_max(identity_source, fetched_at) as identity_source,
        arg_max(canonical_ignored_reason, fetched_at) as canonical_ignored_reason,
        arg_max(site, fetched_at) as site,
        arg_max(title, fetched_at) as title,
        arg_max(description, fetched_at) as description,
        arg_max(language, fetched_at) as language,
        arg_max(section, fetched_at) as section,
        arg_max(body_text, fetched_at) as body_text,
        arg_max(archive_key, fetched_at) as archive_key,
        arg_max(near_duplicate_cluster_id, fetched_at) as near_duplicate_cluster_id,
        arg_max(authors, fetched_at) as authors,
        arg_max(tags, fetched_at) as tags,
        arg_max(word_count, fetched_at) as word_count,
        arg_max(image_count, fetched_at) as image_count,
        arg_max(related_link_count, fetched_at) as related_link_count,
        arg_max(published_at, fetched_at) as published_at,
        arg_max(modified_at, fetched_at) as modified_at,
        min(partition_date) as first_partition_date,
        min(fetched_at) as valid_from,
        max(fetched_at) as last_fetched_at,
        max(loaded_at) as loaded_at
    from fetches_numbered
    group by article_id, revision
),

compared as (
    select
        revisions.*,
        coalesce(image_signatures.image_signature, md5('')) as image_signature,
        lead(revisions.valid_from) over by_revision as valid_to,
        lag(revisions.title) over by_revision as previous_title,
        lag(revisions.body_text) over by_revision as previous_body_text,
        lag(coalesce(image_signatures.image_signature, md5(''))) over by_revision as previous_image_signature,
        lag(revisions.authors) over by_revision as previous_authors
    from revisions
    left join image_signatures
        on revisions.article_id = image_signatures.article_id
        and revisions.content_hash = image_signatures.content_hash
    window by_revision as (partition by revisions.article_id order by revisions.revision)
),

final as (
    select
        ---------- ids
        article_id || '#' || revision as revision_id,
        article_id,
        content_hash,
        near_duplicate_cluster_id,
        ---------- strings
        url,
        canonical_url,
        identity_source,
        canonical_ignored_reason,
        site,
        title,
        previous_title,
        description,
        language,
        section,
        body_text,
        archive_key,
        image_signature,
        authors,
        tags,
        ---------- numerics
        revision,
        word_count,
        image_count,
        related_link_count,
        ---------- booleans
        valid_to is null as is_latest,
        revision > 1 and title is distinct from previous_title as has_title_changed,
        revision > 1 and body_text is distinct from previous_body_text as has_body_changed,
        revision > 1 and image_signature is distinct from previous_image_signature as has_images_changed,
        revision > 1 and authors is distinct from previous_authors as has_byline_changed,
        ---------- dates
        first_partition_date,
        ---------- timestamps
        published_at,
        modified_at,
        valid_from,
        valid_to,
        last_fetched_at,
        loaded_at
    from compared
)

select * from final
