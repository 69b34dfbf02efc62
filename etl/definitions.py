"""Dagster's entry point: every definition under `etl/defs` is discovered from here."""

import warnings
from datetime import timedelta
from pathlib import Path

import dagster as dg

# A mart not refreshed for a day and a bit means the daily schedule stopped producing; the UI flags it.
MART_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=30), warn_window=timedelta(hours=26)
)


@dg.definitions
def defs() -> dg.Definitions:
    definitions = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    with warnings.catch_warnings():
        # map_resolved_asset_specs is marked preview in 1.13 but is the documented way to attach freshness
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return definitions.map_resolved_asset_specs(
            func=lambda spec: dg.apply_freshness_policy(spec, MART_FRESHNESS),
            selection=dg.AssetSelection.groups("marts"),
        )
