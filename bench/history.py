"""History benchmark: what one day costs as the warehouse grows (issue 19, "a day costs the same whatever the
history").

    .venv/bin/python bench/history.py --articles 10000 100000            # quick
    .venv/bin/python bench/history.py --articles 10000 1000000 5000000   # the acceptance sizes (slow)

For each size, a warehouse is seeded with DuckDB SQL (generate_series, not the pipeline): that many articles at
2,000 a day, 5% of them revised a day later, with images and related-article cards in the proportions measured
on the corpus and the demo (2.6 images a page in the fundus ground truth, 2.4 in the sample site; 3.6 related
cards a page in the sample site), one third of the cards pointing at an article of the warehouse, and each page's
fetch log, page state and discovery row. Its marts are built once and published (not timed). Then one day of
`--pages` new pages, written as the extract stage writes them (`work.extracted_*`), goes through normalize ->
validate -> load -> dbt -> publish: the pipeline's own Dagster assets, materialized one stage at a time. Each
stage's wall time and the peak memory of the whole process tree (this process and dbt's) are printed as a table
and written to bench/out/history.json.

Seeded ids are 64 hex characters like the pipeline's sha256 ids, but made with md5 (DuckDB's sha256 is slow at
this scale); the day's pages get their ids from the normalize stage as in a run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import polars as pl
import psutil
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from etl.defs.ingest.load import raw_tables
from etl.defs.ingest.normalize import normalized
from etl.defs.ingest.validate import validated
from etl.defs.publish import published
from etl.defs.resources import AkhbarHome
from etl.defs.transform.dbt import news_dbt_models
from etl.defs.transform.project import DBT_EXECUTABLE, dbt_project
from etl.lib import schema, warehouse
from etl.lib.frames import conform
from etl.lib.home import Home

ROOT = Path(__file__).resolve().parents[1]
SITES = ["aawsat", "alarabiya", "bbc-arabic", "aljazeera", "independent-arabia"]
WORDS = [
    "الرئيس", "موسكو", "المحادثات", "الحكومة", "النفط", "الاقتصاد", "الانتخابات", "غزة", "لبنان", "السعودية",
    "مصر", "الأمم", "المتحدة", "الحرب", "السلام", "وزير", "الخارجية", "البرلمان", "الأسواق", "الأسعار",
    "الطاقة", "المناخ", "الرياض", "القاهرة", "بيروت", "دمشق", "الكرملين", "أوروبا", "الصين", "روسيا",
]  # fmt: skip
CREDITS = [("أ.ف.ب", "AFP"), ("رويترز", "Reuters"), ("د.ب.أ", "dpa"), ("أ.ب", "AP")]
SECTIONS = ["أوروبا", "العالم العربي", "الاقتصاد", "رياضة", "ثقافة"]
PER_DAY = 2_000
BODY_WORDS = 120
# the day the benchmark runs; the seeded history ends the day before
BENCH_DAY = date(2026, 1, 1)
STAGES = ("normalize", "validate", "load", "dbt", "publish")

# One seeded article per i: its site, URL, day and the sizes of its image and card sets. `hash` keeps the
# choices stable for one i and spread over the range.
_SEED_ARTICLES = """
create or replace temp table seed as
select
    i,
    sites[1 + i % {sites}] as site,
    'https://' || sites[1 + i % {sites}] || '.test/article/' || i as url,
    cast(date '{last_day}' - cast(({articles} - 1 - i) // {per_day} as integer) as date) as partition_date,
    cast(hash(i, 'images') % 6 as integer) as image_count,   -- 0..5: 2.5 a page
    cast(hash(i, 'links') % 8 as integer) as link_count      -- 0..7: 3.5 a page
from range({articles}) as t(i), (select {site_list} as sites)
"""

_ARTICLE_ROWS = """
select
    {article_id} as article_id,
    url,
    url as canonical_url,
    'canonical_url' as identity_source,
    site,
    {title} as title,
    {title} as description,
    ['كاتب ' || (i % 500)] as authors,
    'ar' as language,
    {section} as section,
    [{word}] as tags,
    array_to_string(list_transform(range({body_words}), k -> {words}[cast(1 + hash(i, k) % {word_count} as bigint)]), ' ')
        as body_text,
    md5(url || '{revision}') as content_hash,
    md5(url || '#dup') as near_duplicate_cluster_id,
    '{{}}' as field_sources,
    {body_words} as word_count,
    image_count,
    link_count as related_link_count,
    partition_date + {revision_day} as partition_date,
    partition_date + interval 5 hour as published_at,
    partition_date + {revision_day} + interval 6 hour + to_seconds(cast(hash(i) % 36000 as bigint)) as fetched_at,
    'seed' as run_id,
    partition_date + {revision_day} + interval 23 hour as loaded_at
from seed
{where}
"""


def seed_history(conn: duckdb.DuckDBPyConnection, articles: int) -> dict[str, int]:
    """Seed raw.* with `articles` articles of history ending the day before BENCH_DAY; returns rows per table."""
    warehouse.ensure_schema(conn)
    words = "[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    conn.execute(
        _SEED_ARTICLES.format(
            sites=len(SITES),
            site_list="[" + ", ".join(f"'{s}'" for s in SITES) + "]",
            last_day=BENCH_DAY - timedelta(days=1),
            articles=articles,
            per_day=PER_DAY,
        )
    )
    common = {
        "title": f"{words}[cast(1 + hash(i, 't') % {len(WORDS)} as bigint)] || ' ' || "
        f"{words}[cast(1 + hash(i, 'u') % {len(WORDS)} as bigint)]"
        " || ' ' || i",
        "section": "[" + ", ".join(f"'{s}'" for s in SECTIONS) + f"][1 + i % {len(SECTIONS)}]",
        "word": f"{words}[1 + i % {len(WORDS)}]",
        "words": words,
        "word_count": len(WORDS),
        "body_words": BODY_WORDS,
        "article_id": _seed_id("url"),
    }
    first = _ARTICLE_ROWS.format(**common, revision="1", revision_day=0, where="")
    # one article in twenty gets a new headline the next day: a revision 2 with its own images and cards
    revised = _ARTICLE_ROWS.format(
        **common, revision="2", revision_day=1, where=f"where i % 20 = 0 and i < {articles - PER_DAY}"
    ).replace(" || ' ' || i as title", " || ' ' || i || ' (محدث)' as title")
    conn.execute(f"create or replace temp table seeded as {first} union all {revised}")
    conn.execute("insert into raw.articles by name select * from seeded")
    conn.execute(
        f"""
        insert into raw.images by name
        select
            {_seed_id("a.article_id || 'image' || p.position")} as image_id, a.article_id, a.content_hash,
            replace(a.url, '/article/', '/photo/') || '-' || p.position || '.jpg' as url,
            'الرئيس في موسكو' as caption,
            {_pick("credit_raw", "p.position", 0)} as credit_raw,
            {_pick("credit", "p.position", 1)} as credit,
            'figure' as caption_source, 'figure' as credit_source,
            cast(p.position as integer) as position, 1200 as width, 800 as height,
            p.position = 0 as is_lead, false as is_archive_photo,
            a.partition_date, a.run_id, a.loaded_at
        from seeded a, range(a.image_count) as p(position)
        """
    )
    conn.execute(
        f"""
        insert into raw.related_links by name
        select
            {_seed_id("a.article_id || 'link' || p.position")} as link_id, a.article_id, a.content_hash,
            case
                -- a third of the cards point at an earlier article of the warehouse, the rest elsewhere
                when hash(a.article_id, p.position) % 3 = 0
                then 'https://' || {_site_of("target")} || '.test/article/' || target
                else 'https://elsewhere.test/' || a.article_id || '/' || p.position
            end as url,
            'عنوان مرتبط' as title, 'أوروبا' as section, '«الشرق الأوسط» (موسكو)' as byline,
            'الشرق الأوسط' as byline_source, 'organisation' as byline_kind, 'موسكو' as byline_place,
            cast(p.position as integer) as position,
            a.partition_date, a.run_id, a.loaded_at
        from (select *, cast(split_part(url, '/article/', 2) as bigint) as i from seeded) a,
            range(a.related_link_count) as p(position),
            (select cast(hash(a.i, p.position) % greatest(a.i, 1) as bigint) as target)
        """
    )
    conn.execute(
        """
        insert into raw.pages by name
        select url, site, url as final_url, 'ok' as outcome, '"' || content_hash || '"' as etag,
            content_hash as body_sha256, 'text/html' as content_type, 'utf-8' as encoding, 200 as status,
            fetched_at as last_fetched_at, fetched_at as last_ok_at, fetched_at as first_seen_at,
            partition_date, run_id, loaded_at
        from seeded
        """
    )
    warehouse.rebuild_current_pages(conn)
    conn.execute(
        """
        insert into raw.fetch_log by name
        select url, site, url as final_url, 'ok' as outcome, 'text/html' as content_type, 'utf-8' as encoding,
            content_hash as body_sha256, 1 as attempt, 200 as status, 40000 as bytes_received,
            120000 as bytes_decoded, 180 as elapsed_ms, true as is_final, false as unchanged, fetched_at,
            partition_date, run_id, loaded_at
        from seeded
        """
    )
    conn.execute(
        """
        insert into raw.discovered_urls by name
        select url, site, 'feed' as source_kind, 'https://' || site || '.test/feed' as source_url, title,
            tags as keywords, published_at, partition_date, run_id, loaded_at
        from seeded where content_hash = md5(url || '1')
        """
    )
    conn.execute("drop table seeded")
    conn.execute("drop table seed")
    conn.execute("checkpoint")
    return {
        table: conn.sql(f"select count(*) from raw.{table}").fetchone()[0]
        for table in ("articles", "images", "related_links", "pages")
    }


def _seed_id(expression: str) -> str:
    """SQL of a 64-hex id of `expression`, as wide as the pipeline's sha256 ids and far faster to make."""
    return f"md5({expression}) || md5({expression} || '#')"


def _pick(column: str, position: str, index: int) -> str:
    values = "[" + ", ".join(f"'{credit[index]}'" for credit in CREDITS) + "]"
    return f"{values}[cast(1 + hash(a.article_id, {position}) % {len(CREDITS)} as bigint)]"


def _site_of(index: str) -> str:
    return "[" + ", ".join(f"'{s}'" for s in SITES) + f"][1 + {index} % {len(SITES)}]"


def the_days_pages(pages: int, seeded: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """`pages` new pages as the extract stage writes them for BENCH_DAY, with their images and cards."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(seeded, seeded + pages)
    site = np.array(SITES)[numbers % len(SITES)]
    url = [f"https://{s}.test/article/{n}" for s, n in zip(site, numbers, strict=True)]
    fetched_at = [
        datetime(BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day, 6, tzinfo=UTC) + timedelta(seconds=int(s))
        for s in rng.integers(0, 36_000, pages)
    ]
    words = np.array(WORDS)
    body = [" ".join(row) for row in words[rng.integers(0, len(WORDS), (pages, BODY_WORDS))]]
    articles = pl.DataFrame(
        {
            "url": url,
            "requested_url": url,
            "site": site,
            "partition_date": BENCH_DAY,
            "fetched_at": fetched_at,
            "archive_key": [f"{n:064x}" for n in numbers],
            "body_sha256": [f"{n:064x}" for n in numbers],
            "canonical_url": url,
            "title": [
                " ".join(row) + f" {n}"
                for row, n in zip(words[rng.integers(0, 30, (pages, 6))], numbers, strict=True)
            ],
            "description": [" ".join(row) for row in words[rng.integers(0, 30, (pages, 12))]],
            "authors": [[f"كاتب {n % 500}"] for n in numbers],
            "published_at_raw": [(t - timedelta(hours=1)).isoformat() for t in fetched_at],
            "modified_at_raw": None,
            "site_name": site,
            "language": "ar",
            "section": np.array(SECTIONS)[numbers % len(SECTIONS)],
            "tags": [[WORDS[n % len(WORDS)]] for n in numbers],
            "body_text": body,
            "field_sources": "{}",
            "rejected_values": "[]",
            "error": None,
        }
    )
    articles = conform(articles, schema.EXTRACTED_ARTICLES, "work.extracted_articles")
    image_counts, link_counts = rng.integers(0, 6, pages), rng.integers(0, 8, pages)
    images = pl.DataFrame(
        [
            {
                "article_url": page_url,
                "partition_date": BENCH_DAY,
                "position": position,
                "image_url": f"{page_url.replace('/article/', '/photo/')}-{position}.jpg",
                "alt_text": None,
                "caption": f"الرئيس في موسكو ({CREDITS[position % len(CREDITS)][0]})",
                "credit_raw": None,
                "caption_source": "figure",
                "credit_source": None,
                "width": 1200,
                "height": 800,
                "is_lead": position == 0,
            }
            for page_url, count in zip(url, image_counts, strict=True)
            for position in range(count)
        ],
        schema=schema.EXTRACTED_IMAGES,
    )
    links = []
    for page_url, number, count in zip(url, numbers, link_counts, strict=True):
        for position in range(count):
            target = int(rng.integers(0, number))
            internal = rng.random() < 1 / 3
            links.append(
                {
                    "article_url": page_url,
                    "partition_date": BENCH_DAY,
                    "position": position,
                    "target_url": f"https://{SITES[target % len(SITES)]}.test/article/{target}"
                    if internal
                    else f"https://elsewhere.test/{number}/{position}",
                    "title": "عنوان مرتبط",
                    "section": "أوروبا",
                    "summary": None,
                    "image_url": None,
                    "image_caption": None,
                    "byline": "«الشرق الأوسط» (موسكو)",
                }
            )
    return {
        "articles": articles,
        "images": images,
        "related_links": pl.DataFrame(links, schema=schema.EXTRACTED_RELATED_LINKS),
    }


class PeakMemory:
    """The peak resident memory of this process and its children (dbt), sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.02)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def measured(into: dict, stage: str) -> Iterator[None]:
    with PeakMemory() as memory:
        started = time.perf_counter()
        yield
        into[stage] = {"s": round(time.perf_counter() - started, 2), "peak_mb": round(memory.peak / 2**20)}


def run_the_day(home: Home, sites_file: Path, extracted: dict[str, pl.DataFrame]) -> dict[str, dict]:
    """Normalize, validate, load, dbt and publish BENCH_DAY with the pipeline's assets; time each stage."""
    resources = {
        "duckdb": DuckDBResource(database=str(home.warehouse), connection_config=warehouse.CONNECTION_CONFIG),
        "akhbar": AkhbarHome(home=str(home.root), sites_file=str(sites_file)),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    }
    with duckdb.connect(str(home.warehouse), config=warehouse.CONNECTION_CONFIG) as conn:
        for name, frame in extracted.items():
            warehouse.replace_partition(conn, f"work.extracted_{name}", BENCH_DAY, frame)
    stages: dict[str, Callable[[], object]] = {
        "normalize": lambda: _materialize(normalized, resources),
        "validate": lambda: _materialize(validated, resources),
        "load": lambda: _materialize(raw_tables, resources),
        "dbt": lambda: _materialize(news_dbt_models, resources),
        "publish": lambda: _materialize(published, resources),
    }
    timings: dict[str, dict] = {}
    for stage, run in stages.items():
        with measured(timings, stage):
            run()
    return timings


def _materialize(assets: object, resources: dict) -> None:
    result = dg.materialize([assets], partition_key=BENCH_DAY.isoformat(), resources=resources)
    if not result.success:
        raise RuntimeError(f"{assets}: the stage failed")


def bench_size(articles: int, pages: int, out: Path) -> dict:
    root = out / f"history-{articles}"
    shutil.rmtree(root, ignore_errors=True)
    home = Home(root)
    home.root.mkdir(parents=True)
    sites_file = root / "sites.yaml"
    sites_file.write_text("sites: []\n", encoding="utf-8")
    report: dict = {"articles": articles, "pages": pages}
    started = time.perf_counter()
    with duckdb.connect(str(home.warehouse)) as conn:
        report["raw_rows"] = seed_history(conn, articles)
    report["seed_s"] = round(time.perf_counter() - started, 1)
    print(f"{articles:,} articles: seeded in {report['seed_s']} s", file=sys.stderr, flush=True)
    # the history's marts and published copy, as the runs before this day left them
    started = time.perf_counter()
    os.environ["DUCKDB_PATH"] = str(home.warehouse.resolve())  # dbt's profile reads it
    DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE).cli(
        ["build", "--quiet"], target_path=home.dbt_target.resolve(), raise_on_error=True
    ).wait()
    warehouse.publish(home.warehouse, home.published)
    report["history_build_and_publish_s"] = round(time.perf_counter() - started, 1)
    print(
        f"{articles:,} articles: history built and published in {report['history_build_and_publish_s']} s",
        file=sys.stderr,
        flush=True,
    )
    report["stages"] = run_the_day(home, sites_file, the_days_pages(pages, articles))
    report["after_extraction_s"] = round(sum(stage["s"] for stage in report["stages"].values()), 2)
    report["peak_mb"] = max(stage["peak_mb"] for stage in report["stages"].values())
    report["warehouse_mb"] = round(home.warehouse.stat().st_size / 2**20)
    return report


def table(reports: list[dict]) -> str:
    """A markdown table: one row per size, each stage's seconds (and peak MB)."""
    header = ["articles", *STAGES, "after extraction", "peak memory"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for report in reports:
        cells = [f"{report['articles']:,}"]
        cells += [f"{report['stages'][s]['s']:.1f} s ({report['stages'][s]['peak_mb']} MB)" for s in STAGES]
        cells += [f"{report['after_extraction_s']:.1f} s", f"{report['peak_mb']} MB"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000], help="history sizes")
    parser.add_argument("--pages", type=int, default=PER_DAY, help="new pages in the benchmarked day")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    reports = []
    for size in args.articles:
        reports.append(bench_size(size, args.pages, args.out))
        print(json.dumps(reports[-1], ensure_ascii=False), flush=True)
    (args.out / "history.json").write_text(json.dumps(reports, indent=2, ensure_ascii=False))
    print(table(reports))


if __name__ == "__main__":
    main()
