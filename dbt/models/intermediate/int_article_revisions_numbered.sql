{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='revision_id',
        on_schema_change='append_new_columns',
    )
}}

{#- One row per article revision. raw.articles holds one row per (article_id, content_hash, partition_date):
    consecutive fetches with the same content hash are one revision (an island), so content that changes
    and later changes back still counts as two changes. Materialized, not a view: four marts and the link
    resolution read it.

    Incremental by the run's slice (macros/run_window.sql: the window's days, and whatever was loaded since the
    marts' last complete build): an article whose slice rows all follow its stored fetches (the daily case)
    continues from its stored latest revision, with the one before it as the anchor its changes are compared
    against, so a day reads the day's rows and two revisions per article, not the history. An article fetched
    again in the slice (a re-run of the day, or rows a killed build had already numbered) or out of order (a
    backfill of an older day) is recomputed from all its raw rows. -#}
with all_articles as (
    select * from {{ ref('stg_news__articles') }}
),

all_images as (
    select * from {{ ref('stg_news__images') }}
),

{% if is_incremental() %}
slice_rows as (
    {{ run_slice(ref('stg_news__articles')) }}
),

slice_articles as (
    select article_id, min(fetched_at) as first_slice_fetch
    from slice_rows
    group by article_id
),

stored as (
    select * from {{ this }}
    where article_id in (select article_id from slice_articles)
),

stored_spans as (
    select article_id, max(last_fetched_at) as last_stored_fetch, max(revision) as latest_revision
    from stored
    group by article_id
),

recomputed_articles as (
    select slice_articles.article_id
    from slice_articles
    inner join stored_spans
        on slice_articles.article_id = stored_spans.article_id
    where slice_articles.first_slice_fetch <= stored_spans.last_stored_fetch
),

-- the latest stored revision (which the slice's first fetch may extend) and the one before it (the anchor)
continued_revisions as (
    select stored.*, stored.revision < stored_spans.latest_revision as is_anchor
    from stored
    inner join stored_spans
        on stored.article_id = stored_spans.article_id
    where stored.revision >= stored_spans.latest_revision - 1
        and stored.article_id not in (select article_id from recomputed_articles)
),

raw_fetches as (
    select * from slice_rows
    where article_id not in (select article_id from recomputed_articles)
    union all
    select * from all_articles
    where article_id in (select article_id from recomputed_articles)
),

-- as raw_fetches: the slice's images of the continued articles, every image of the recomputed ones (once)
images as (
    select * from ({{ run_slice(ref('stg_news__images')) }})
    where article_id in (select article_id from slice_articles)
        and article_id not in (select article_id from recomputed_articles)
    union all
    select * from all_images
    where article_id in (select article_id from recomputed_articles)
),
{% else %}
raw_fetches as (
    select * from all_articles
),

images as (
    select * from all_images
),
{% endif %}

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

-- each raw row is one fetch; a stored revision folds in as one fetch spanning its first and last
fetches as (
    select
        article_id, content_hash, url, canonical_url, identity_source, canonical_ignored_reason, site, title,
        description, language, section, body_text, archive_key, near_duplicate_cluster_id, authors, tags,
        word_count, image_count, related_link_count, published_at, modified_at,
        partition_date as first_partition_date,
        fetched_at as valid_from,
        fetched_at as last_fetched_at,
        loaded_at,
        cast(null as integer) as stored_revision,
        cast(null as varchar) as stored_image_signature,
        false as is_anchor,
        1 as sequence_part
    from raw_fetches
    {% if is_incremental() %}
    union all
    select
        article_id, content_hash, url, canonical_url, identity_source, canonical_ignored_reason, site, title,
        description, language, section, body_text, archive_key, near_duplicate_cluster_id, authors, tags,
        word_count, image_count, related_link_count, published_at, modified_at,
        first_partition_date,
        valid_from,
        last_fetched_at,
        loaded_at,
        revision,
        image_signature,
        is_anchor,
        0
    from continued_revisions
    {% endif %}
),

fetches_ordered as (
    select
        *,
        -- a fetch starts a revision when its content differs from the previous fetch of the article
        case
            when content_hash is distinct from lag(content_hash) over by_fetch then 1 else 0
        end as is_revision_start,
        -- numbering continues from the first stored revision read (none: from 1)
        coalesce(first_value(stored_revision) over by_fetch, 1) - 1 as revision_offset
    from fetches
    window by_fetch as (partition by article_id order by sequence_part, valid_from, first_partition_date)
),

fetches_numbered as (
    select
        *,
        cast(revision_offset + sum(is_revision_start) over (
            partition by article_id order by sequence_part, valid_from, first_partition_date
            rows unbounded preceding
        ) as integer) as revision
    from fetches_ordered
),

revisions as (
    select
        article_id,
        revision,
        arg_max(content_hash, last_fetched_at) as content_hash,
        arg_max(url, last_fetched_at) as url,
        arg_max(canonical_url, last_fetched_at) as canonical_url,
        arg_max(identity_source, last_fetched_at) as identity_source,
        arg_max(canonical_ignored_reason, last_fetched_at) as canonical_ignored_reason,
        arg_max(site, last_fetched_at) as site,
        arg_max(title, last_fetched_at) as title,
        arg_max(description, last_fetched_at) as description,
        arg_max(language, last_fetched_at) as language,
        arg_max(section, last_fetched_at) as section,
        arg_max(body_text, last_fetched_at) as body_text,
        arg_max(archive_key, last_fetched_at) as archive_key,
        arg_max(near_duplicate_cluster_id, last_fetched_at) as near_duplicate_cluster_id,
        arg_max(authors, last_fetched_at) as authors,
        arg_max(tags, last_fetched_at) as tags,
        arg_max(word_count, last_fetched_at) as word_count,
        arg_max(image_count, last_fetched_at) as image_count,
        arg_max(related_link_count, last_fetched_at) as related_link_count,
        arg_max(published_at, last_fetched_at) as published_at,
        arg_max(modified_at, last_fetched_at) as modified_at,
        min(first_partition_date) as first_partition_date,
        min(valid_from) as valid_from,
        max(last_fetched_at) as last_fetched_at,
        max(loaded_at) as loaded_at,
        max(stored_image_signature) as stored_image_signature,
        bool_or(is_anchor) as is_anchor
    from fetches_numbered
    group by article_id, revision
),

{% if is_incremental() %}
-- content that changes back to an earlier revision's brings no new image rows: that revision's signature holds
stored_signatures as (
    select article_id, content_hash, any_value(image_signature) as image_signature
    from stored
    group by article_id, content_hash
),
{% endif %}

signed_revisions as (
    select
        revisions.*,
        coalesce(
            image_signatures.image_signature,
            revisions.stored_image_signature,
            {% if is_incremental() %}stored_signatures.image_signature,{% endif %}
            md5('')
        ) as image_signature
    from revisions
    left join image_signatures
        on revisions.article_id = image_signatures.article_id
        and revisions.content_hash = image_signatures.content_hash
    {% if is_incremental() %}
    left join stored_signatures
        on revisions.article_id = stored_signatures.article_id
        and revisions.content_hash = stored_signatures.content_hash
    {% endif %}
),

compared as (
    select
        *,
        lead(valid_from) over by_revision as valid_to,
        lag(title) over by_revision as previous_title,
        lag(body_text) over by_revision as previous_body_text,
        lag(image_signature) over by_revision as previous_image_signature,
        lag(authors) over by_revision as previous_authors
    from signed_revisions
    window by_revision as (partition by article_id order by revision)
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
    -- the anchor only gives the revision after it something to compare against; it is stored unchanged
    where not is_anchor
)

select * from final
