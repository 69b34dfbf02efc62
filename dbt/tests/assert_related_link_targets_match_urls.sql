{{ config(meta={'dagster': {'ref': {'name': 'related_links'}}}) }}

-- a resolved target must be an article whose fetched or canonical URL is the link's URL
select related_links.link_id
from {{ ref('related_links') }} as related_links
inner join {{ ref('articles') }} as targets
    on related_links.target_article_id = targets.article_id
where related_links.url is distinct from targets.url
    and related_links.url is distinct from targets.canonical_url
