{{ config(meta={'dagster': {'ref': {'name': 'related_links'}}}) }}

-- a resolved target must be an article whose fetched or canonical URL is the link's URL (on a day's build: the
-- links of the run's articles and the links resolved to them)
select related_links.link_id
from {{ ref('related_links') }} as related_links
inner join {{ ref('articles') }} as targets
    on related_links.target_article_id = targets.article_id
where related_links.url is distinct from targets.url
    and related_links.url is distinct from targets.canonical_url
    and ({{ of_run_articles('related_links.article_id') }} or {{ of_run_articles('targets.article_id') }})
