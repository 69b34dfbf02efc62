"""Run configuration shared by the ingest assets."""

import dagster as dg


class IngestConfig(dg.Config):
    """`from_archive`: re-extract the day's pages from the raw archive and make no HTTP request (backfills)."""

    from_archive: bool = False
