"""Akhbar's pipeline code, free of Dagster: one package per stage, in the order a page travels.

* `discover/`  sites file -> the article URLs each site announces (feeds, sitemaps, URL lists)
* `fetch/`     URLs -> polite, SSRF-guarded HTTP attempts, the bodies in the raw archive
* `extract/`   archived bodies -> one article each, with its images and related links
* `normalize/` the day's extracted rows -> typed, keyed, deduplicated records
* `quality/`   normalized records -> Great Expectations verdicts, field issues and health checks
* `warehouse/` verdicts -> DuckDB's raw and quarantine tables, the published copy and its search

Beside them, what every stage shares: the configuration (`sites.py`, `home.py`, `run_lock.py`), the records and
table schemas that pass between stages (`records.py`, `schema.py`), and small helpers (`text.py`, `urls.py`,
`frames.py`, `selectors.py`, `plausible.py`). A stage uses another only through its package (`from
etl.lib.fetch import Fetcher`), never through the other's modules; `tests/test_layout.py` holds the code to it.
"""
