-- Each site's funnel over the last seven pipeline days: discovered -> fetched -> loaded.
select
    site,
    sum(discovered_urls) as discovered,
    sum(fetched_ok_urls) as fetched_ok,
    sum(failed_urls) as failed,
    sum(quarantined_articles) as quarantined,
    sum(loaded_articles) as loaded,
    round(100.0 * sum(loaded_articles) / nullif(sum(discovered_urls), 0), 1) as loaded_pct
from marts.site_daily
where partition_date > (select max(partition_date) from marts.site_daily) - 7
group by site
order by site
