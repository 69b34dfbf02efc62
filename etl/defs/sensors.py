"""A sensor that polls the sites' feeds and sitemaps and starts the day's run when they list new URLs."""

import hashlib
from datetime import UTC, datetime

import dagster as dg

from etl.defs.jobs import daily_pipeline
from etl.defs.resources import AkhbarHome, HttpClientResource
from etl.lib.discover import discover
from etl.lib.sites import SitesFileError


@dg.sensor(
    job=daily_pipeline,
    minimum_interval_seconds=15 * 60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Every 15 minutes, polls the sites' feeds and sitemaps and starts today's run when the "
    "announced article URLs changed since the last poll.",
)
def new_articles_sensor(
    context: dg.SensorEvaluationContext, akhbar: AkhbarHome, http: HttpClientResource
) -> dg.SensorResult | dg.SkipReason:
    """Start today's run when the set of announced article URLs differs from the last poll."""
    try:
        sites = akhbar.sites()
    except SitesFileError as error:
        return dg.SkipReason(f"sites file unusable: {error}")
    urls, errors = discover(sites, settings=http.settings(sites))
    if not urls:
        return dg.SkipReason(f"no URL announced ({len(errors)} source errors)")
    digest = hashlib.sha256("\n".join(sorted({u.url for u in urls})).encode()).hexdigest()
    if digest == context.cursor:
        return dg.SkipReason("feeds unchanged since the last poll")
    today = datetime.now(UTC).date().isoformat()
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"{today}:{digest[:16]}", partition_key=today)],
        cursor=digest,
    )
