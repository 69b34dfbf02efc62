-- Where are the related stories datelined from, and who wrote them?
select
    byline_place,
    byline_source,
    byline_kind,
    count(*) as cards
from marts.related_links
where byline_place is not null
group by all
order by cards desc
limit 20
