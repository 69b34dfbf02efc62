{{ config(meta={'dagster': {'ref': {'name': 'articles'}}}) }}

-- marts.articles must show exactly the latest revision that article_revisions records (for the run's articles
-- on a day's build: the others were checked when they were built)
with latest_revisions as (
    select article_id, max(revision) as revision
    from {{ ref('article_revisions') }}
    where {{ of_run_articles() }}
    group by article_id
),

articles as (
    select * from {{ ref('articles') }}
    where {{ of_run_articles() }}
)

select articles.article_id, articles.revision, latest_revisions.revision as latest_revision
from articles
full outer join latest_revisions
    on articles.article_id = latest_revisions.article_id
where articles.revision is distinct from latest_revisions.revision
