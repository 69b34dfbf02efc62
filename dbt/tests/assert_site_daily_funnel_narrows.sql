-- each stage of a site's day can only narrow the one before it
select *
from {{ ref('site_daily') }}
where failed_urls > fetched_urls
    or fetched_ok_urls + not_modified_urls > fetched_urls
    or loaded_articles > extracted_articles
    or fetched_urls > fetch_attempts
