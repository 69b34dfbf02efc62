"""Quality: in, a `NormalizedBatch`; out, the rows that pass the Great Expectations suites, the quarantined ones
with their rule, the field issues, and the per-site health and silent-site checks.
"""

from etl.lib.quality.health import HEALTH_FIELDS, field_shares, health_problems
from etl.lib.quality.site_activity import silent_sites
from etl.lib.quality.validation import validate_batch

__all__ = ["HEALTH_FIELDS", "field_shares", "health_problems", "silent_sites", "validate_batch"]
