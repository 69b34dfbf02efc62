-- Which articles does a story link to in its related-articles block, and are they in the warehouse?
with story as (
    select article_id
    from marts.related_links
    where target_article_id is not null
    order by article_id
    limit 1
)

select
    links.position,
    links.url,
    links.title as card_title,
    targets.title as target_title,
    targets.published_at as target_published_at
from marts.related_links as links
left join marts.articles as targets
    on links.target_article_id = targets.article_id
where links.article_id = (select article_id from story)
order by links.position
