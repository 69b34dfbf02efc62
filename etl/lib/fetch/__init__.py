"""Fetch: in, the day's `FetchRequest`s (planned from the warehouse's fetch log); out, one `FetchAttempt` per HTTP
attempt, politely spaced per host, refused for private addresses, with each new body in the raw archive.
"""

from etl.lib.fetch.content_decoding import BodyTooLargeError, BoundedDecoder, ContentDecodingError
from etl.lib.fetch.fetcher import Fetcher, fetch_pages, run_sync
from etl.lib.fetch.pagecheck import classify_html
from etl.lib.fetch.planning import plan_fetches
from etl.lib.fetch.settings import FetchSettings

__all__ = [
    "BodyTooLargeError",
    "BoundedDecoder",
    "ContentDecodingError",
    "FetchSettings",
    "Fetcher",
    "classify_html",
    "fetch_pages",
    "plan_fetches",
    "run_sync",
]
