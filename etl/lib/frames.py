"""Turning stage records into Polars frames with a fixed schema, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import polars as pl


def records_frame(records: Iterable[Any], schema: pl.Schema) -> pl.DataFrame:
    """A frame of `schema`'s columns from dataclass records (e.g. `FetchAttempt`s), typed even when empty."""
    return pl.DataFrame(
        [{name: getattr(record, name) for name in schema} for record in records], schema=schema
    )


def rows_frame(rows: list[dict[str, Any]], schema: pl.Schema, what: str) -> pl.DataFrame:
    """A frame of dict rows with exactly `schema`'s columns (no rows give an empty frame)."""
    if not rows:
        return pl.DataFrame(schema=schema)
    return conform(pl.DataFrame(rows, infer_schema_length=None), schema, what)


def conform(frame: pl.DataFrame, schema: pl.Schema, what: str) -> pl.DataFrame:
    """`frame` with exactly `schema`'s columns, in order and cast; a missing column is an error naming it."""
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {', '.join(missing)}")
    try:
        return frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())
    except pl.exceptions.PolarsError as error:
        raise ValueError(f"{what}: columns do not match the contract: {str(error).splitlines()[0]}") from None


def partition_day(partition_key: str) -> date:
    return date.fromisoformat(partition_key)
