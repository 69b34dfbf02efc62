-- How many photos did each agency supply per day (by publication day)?
select
    cast(articles.published_at as date) as published_date,
    images.credit as agency,
    count(*) as photos
from marts.images as images
inner join marts.articles as articles
    on images.article_id = articles.article_id
group by all
order by published_date desc, photos desc
limit 50
