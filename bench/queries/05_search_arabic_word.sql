-- Full-text search (Arabic stemmer): the articles that best match "المحادثات" (talks).
select article_id, site, title, score
from (
    select *, fts_marts_articles.match_bm25(article_id, 'المحادثات') as score
    from marts.articles
)
where score is not null
order by score desc
limit 20
