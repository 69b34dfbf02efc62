"""The Dagster events of a `dbt build`, each built table's materialization carrying its row count.

dagster-dbt's `fetch_row_counts()` and `fetch_column_metadata()` query the warehouse through a dbt adapter made
in this process once dbt has exited (DuckDB lets no other process open the file while dbt writes it): every
event waits for the whole build, then each model opens its own connection. On this project that made the dbt
step take 186-251 s instead of about 25 s, and dbt-duckdb kept the file open afterwards with settings of its
own, so publishing, the next step, could not open the warehouse. Instead, a post-hook of every model
(dbt/macros/log_built_relation.sql) logs the relation's columns and row count from inside dbt, on dbt's own
connection, as the model is built: dagster-dbt attaches the columns as `dagster/column_schema` itself, and the
events stream as dbt goes, with the row count read here from the same log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation

ROW_COUNT = "dagster/row_count"
# the message log_built_relation.sql logs for a table, followed by its count
ROW_COUNT_MESSAGE = "row count: "


def stream_with_row_counts(invocation: DbtCliInvocation) -> Iterator[Any]:
    """`invocation.stream()`, each built table's materialization with the row count its post-hook logged."""
    row_counts: dict[str, int] = {}
    for message in invocation.stream_raw_events():
        unique_id = message.raw_event["data"].get("node_info", {}).get("unique_id")
        count = _logged_row_count(message.raw_event)
        if unique_id and count is not None:
            row_counts[unique_id] = count
        for event in message.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            if isinstance(event, dg.Output | dg.AssetMaterialization) and unique_id in row_counts:
                event = event.with_metadata({**event.metadata, ROW_COUNT: row_counts.pop(unique_id)})
            yield event


def _logged_row_count(raw_event: dict[str, Any]) -> int | None:
    """The count in a post-hook's "row count: N" log line, or None for any other event."""
    info = raw_event.get("info", {})
    message = str(info.get("msg", ""))
    if info.get("name") != "JinjaLogInfo" or not message.startswith(ROW_COUNT_MESSAGE):
        return None
    count = message.removeprefix(ROW_COUNT_MESSAGE)
    return int(count) if count.isdigit() else None
