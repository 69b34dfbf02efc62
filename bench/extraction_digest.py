"""A digest of `extract_article`'s whole output on every corpus page, to prove a refactoring changed nothing.

    .venv/bin/python bench/extraction_digest.py --out /tmp/before.tsv   # on the old code
    .venv/bin/python bench/extraction_digest.py --out /tmp/after.tsv    # on the new code
    diff /tmp/before.tsv /tmp/after.tsv                                 # empty: identical output

Each line is a page and the SHA-256 of its record (every field, images and related links included), so a diff
names the pages that changed; the last line digests them all. `fetched_at` is fixed, so the digest is stable.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.extraction import DATASETS, _default_corpus, load, page_url
from etl.lib.extract import extract_article

FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def page_digest(raw: bytes, url: str) -> str:
    record = dataclasses.asdict(extract_article(raw, url, fetched_at=FETCHED_AT))
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    lines = []
    for dataset in DATASETS:
        for row, raw in load(args.corpus, dataset, None):
            lines.append(f"{dataset}/{row['file']}\t{page_digest(raw, page_url(dataset, row))}")
    overall = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    args.out.write_text("\n".join([*lines, f"ALL\t{overall}"]) + "\n", encoding="utf-8")
    print(f"{len(lines)} pages, digest {overall}")


if __name__ == "__main__":
    main()
