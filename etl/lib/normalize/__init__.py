"""Normalize: in, a day's extracted frames; out, a `NormalizedBatch` of typed articles, images, related links and
set-aside values, with stable ids, parsed dates and bylines, and each article's identity decided.
"""

from etl.lib.normalize.batch import NormalizedBatch, normalize_batch

__all__ = ["NormalizedBatch", "normalize_batch"]
