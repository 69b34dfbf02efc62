-- Which articles had their headline rewritten after publication, and how?
select
    revisions.article_id,
    articles.site,
    revisions.revision,
    revisions.previous_title,
    revisions.title,
    revisions.valid_from as rewritten_at
from marts.article_revisions as revisions
inner join marts.articles as articles
    on revisions.article_id = articles.article_id
where revisions.has_title_changed
order by revisions.valid_from desc
limit 100
