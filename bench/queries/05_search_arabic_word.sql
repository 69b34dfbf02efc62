-- Full-text search for "المحادثات" (talks): the word, its bare form محادثات and its prefixed forms (بالمحادثات,
-- للمحادثة) all meet. `search.match` lives in the published copy: any read-only connection can run this, with
-- no extension to load.
select articles.article_id, articles.site, articles.title, matches.score
from search.match('المحادثات') as matches
join marts.articles as articles on articles.article_id = matches.article_id
order by matches.score desc, articles.article_id
limit 20
