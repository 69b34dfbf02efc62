-- Which articles do other stories link to most?
select
    targets.article_id,
    targets.site,
    targets.title,
    count(*) as incoming_links,
    count(distinct links.article_id) as linking_articles
from marts.related_links as links
inner join marts.articles as targets
    on links.target_article_id = targets.article_id
group by all
order by incoming_links desc, targets.article_id
limit 20
