"""Extract: in, a fetched page's archived body; out, one `ExtractedArticle` with its images (caption, credit) and
related links, a one-line error, or its verdict that the page is no article (bot challenge, empty shell).
`ExtractionPool` runs it over a day's pages in worker processes; `plan_extractions` and `choose_pages` decide
which pages a run extracts.
"""

from etl.lib.extract.article import extract_article
from etl.lib.extract.credits import credit_aliases, resolve_credits, split_trailing_credit
from etl.lib.extract.document import decode_body
from etl.lib.extract.pages import ExtractedFrames, ExtractionPool, PageToExtract, extract_pages
from etl.lib.extract.planning import choose_pages, page_to_extract, plan_extractions, stored_archive_keys

__all__ = [
    "ExtractedFrames",
    "ExtractionPool",
    "PageToExtract",
    "choose_pages",
    "credit_aliases",
    "decode_body",
    "extract_article",
    "extract_pages",
    "page_to_extract",
    "plan_extractions",
    "resolve_credits",
    "split_trailing_credit",
    "stored_archive_keys",
]
