{{ config(meta={'dagster': {'ref': {'name': 'articles'}}}) }}

-- marts.articles must show exactly the latest revision that article_revisions records
with latest_revisions as (
    select article_id, max(revision) as revision
    from {{ ref('article_revisions') }}
    group by article_id
)

select articles.article_id, articles.revision, latest_revisions.revision as latest_revision
from {{ ref('articles') }} as articles
full outer join latest_revisions
    on articles.article_id = latest_revisions.article_id
where articles.revision is distinct from latest_revisions.revision
