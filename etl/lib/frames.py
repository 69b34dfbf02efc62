"""Turning stage records into Polars frames with a fixed schema, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from typing import Any

import polars as pl


def records_frame(records: Iterable[Any], schema: pl.Schema) -> pl.DataFrame:
    """A frame of dataclass records with exactly `schema`'s columns (an empty list gives an empty frame)."""
    rows = [asdict(record) for record in records]
    if not rows:
        return pl.DataFrame(schema=schema)
    return conform(pl.DataFrame(rows, infer_schema_length=None), schema)


def conform(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """`frame` with exactly `schema`'s columns, in order and cast, missing ones as nulls."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


def partition_day(partition_key: str) -> date:
    return date.fromisoformat(partition_key)
