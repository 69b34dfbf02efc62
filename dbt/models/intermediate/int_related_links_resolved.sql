{#- The related links of each article's latest revision, each resolved to the article it points at when that
    article is in the warehouse too: a link matches an article's fetched URL first, its canonical URL second,
    and only a canonical URL that identifies its article (a site root or a section page several articles
    name would resolve a link to the home page to one of them). -#}
with related_links as (
    select * from {{ ref('stg_news__related_links') }}
),

latest_revisions as (
    select * from {{ ref('int_article_revisions_numbered') }}
    where is_latest
),

url_candidates as (
    select url as match_url, article_id, 1 as match_rank
    from latest_revisions
    union all
    select canonical_url as match_url, article_id, 2 as match_rank
    from latest_revisions
    where canonical_url is not null and identity_source = 'canonical_url'
),

url_lookup as (
    select
        match_url,
        arg_min(article_id, [match_rank::varchar, article_id]) as target_article_id
    from url_candidates
    group by match_url
),

latest_links as (
    select related_links.*
    from related_links
    inner join latest_revisions
        on related_links.article_id = latest_revisions.article_id
        and related_links.content_hash = latest_revisions.content_hash
    qualify row_number() over (partition by related_links.link_id order by related_links.loaded_at) = 1
),

final as (
    select
        latest_links.*,
        url_lookup.target_article_id
    from latest_links
    left join url_lookup
        on latest_links.url = url_lookup.match_url
)

select * from final
