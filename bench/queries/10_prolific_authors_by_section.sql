-- The most prolific authors per section, with their average article length.
select
    section,
    author,
    count(*) as articles,
    round(avg(word_count)) as avg_words
from (
    select section, unnest(authors) as author, word_count
    from marts.articles
)
group by section, author
qualify row_number() over (partition by section order by count(*) desc, author) <= 3
order by section, articles desc
