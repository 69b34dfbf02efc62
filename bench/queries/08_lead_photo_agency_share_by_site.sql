-- Whose photos lead each site's articles? Agency share of lead photos per site.
select
    articles.site,
    images.credit as agency,
    count(*) as lead_photos,
    round(100.0 * count(*) / sum(count(*)) over (partition by articles.site), 1) as share_pct
from marts.images as images
inner join marts.articles as articles
    on images.article_id = articles.article_id
where images.is_lead
group by articles.site, images.credit
order by articles.site, lead_photos desc
