"""Publisher folds for the image benchmark: a rule fitted on some publishers must hold on the others.

Every image-bearing page is keyed by its publisher (sister titles printed by one CMS share a key, or a rule
fitted on one would score on its sister as if it were unseen), the key is hashed into one of `FOLDS` folds,
and the folds are fixed: `CHECK_FOLDS` are never looked at while a rule is written (`--misses` prints dev
folds only); a rule is kept when it lifts the check folds too. The hash makes the split deterministic and
independent of file order, so a page added to the corpus does not move the others.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

FOLDS = 5
CHECK_FOLDS = frozenset({3, 4})

# Titles of one publishing house, printed by one CMS: one key, so they fall in the same fold.
_SISTER_TITLES = {
    "financialpost.com": "postmedia",
    "nationalpost.com": "postmedia",
    "ottawacitizen.com": "postmedia",
    "abendblatt.de": "funke",
    "morgenpost.de": "funke",
    "9news.com.au": "nine",
    "nine.com.au": "nine",
    "yomiuri.co.jp": "yomiuri",
    "japannews.yomiuri.co.jp": "yomiuri",
    "tagesanzeiger.ch": "tamedia",
    "20min.ch": "tamedia",
    "merkur.de": "ippen",
    "ruhrnachrichten.de": "lensing",
    "durbanlocal.co.za": "ilanga-group",
    "ilanganews.co.za": "ilanga-group",
    "eyethunews.co.za": "ilanga-group",
}
_TEST_PAGE_NUMBER = re.compile(r"-\d+$")


def publisher_key(dataset: str, row: dict) -> str:
    """The publisher a ground-truth row belongs to: the host without `www.` (a sister title's house), or for
    Mozilla's readability pages, which have no URL, the page's name without its number (`ehow-2` -> `ehow`)."""
    url = row.get("url")
    if url:
        host = urlsplit(url).netloc.lower().removeprefix("www.").removeprefix("www1.")
        return _SISTER_TITLES.get(host, host)
    stem = row["file"].rsplit("/", 1)[-1].split(".", 1)[0]
    return f"{dataset}:{_TEST_PAGE_NUMBER.sub('', stem)}"


def fold_of(key: str) -> int:
    """The key's fold, from a hash that does not change between runs (Python's `hash` does)."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % FOLDS


def split_of(dataset: str, row: dict) -> str:
    """`dev` or `check`."""
    return "check" if fold_of(publisher_key(dataset, row)) in CHECK_FOLDS else "dev"
