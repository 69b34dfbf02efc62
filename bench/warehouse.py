"""Warehouse benchmark: load N synthetic article rows (with images, related links, fetch log, discovered URLs and
quarantine) day by day, run `dbt build`, publish the analysts' copy with its full-text index (all history, then
the next day's), and time the analysts' questions in bench/queries/*.sql against it.

    .venv/bin/python bench/warehouse.py --articles 100000        # quick
    .venv/bin/python bench/warehouse.py --articles 1000000       # the acceptance size

Prints one JSON object and writes it to bench/out/warehouse-<N>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from etl.lib import schema
from etl.lib.warehouse import load as warehouse
from etl.lib.warehouse import published as publish

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt"
QUERIES_DIR = Path(__file__).resolve().parent / "queries"
SITES = ["aawsat", "alarabiya", "bbc-arabic", "aljazeera", "independent-arabia"]
FIRST_DAY = date(2025, 1, 1)
# real words, so the full-text questions have something to find, among generated filler
WORDS = [
    "الرئيس",
    "موسكو",
    "المحادثات",
    "الحكومة",
    "النفط",
    "الاقتصاد",
    "الانتخابات",
    "غزة",
    "لبنان",
    "السعودية",
    "مصر",
    "الأمم",
    "المتحدة",
    "الحرب",
    "السلام",
    "وزير",
    "الخارجية",
    "البرلمان",
    "الأسواق",
    "الأسعار",
    "الطاقة",
    "المناخ",
    "الرياض",
    "القاهرة",
    "بيروت",
    "دمشق",
    "الكرملين",
    "أوروبا",
    "الصين",
    "الولايات",
    "روسيا",
    "أوكرانيا",
    "المفاوضات",
    "الاتفاق",
    "العقوبات",
    "المساعدات",
]
CREDITS = [
    ("أ.ف.ب", "AFP"),
    ("رويترز", "Reuters"),
    ("د.ب.أ", "dpa"),
    ("أ.ب", "AP"),
    ("الشرق الأوسط", "الشرق الأوسط"),
]
SECTIONS = ["أوروبا", "العالم العربي", "الاقتصاد", "رياضة", "ثقافة"]
PLACES = ["موسكو", "نيودلهي", "لندن", "القاهرة", "بيروت", None]
OUTCOMES_FAILED = ["timeout", "http_error", "connection_error", "too_large", "robots_denied"]


def vocabulary(rng: np.random.Generator, size: int = 3000) -> np.ndarray:
    letters = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
    filler = ["".join(rng.choice(letters, size=rng.integers(3, 8))) for _ in range(size)]
    return np.array(WORDS * 20 + filler)


def sentences(rng: np.random.Generator, vocab: np.ndarray, rows: int, words: int) -> list[str]:
    picks = vocab[rng.integers(0, len(vocab), size=(rows, words))]
    return [" ".join(row) for row in picks]


def day_batch(
    rng: np.random.Generator, vocab: np.ndarray, day_index: int, ids: np.ndarray
) -> dict[str, pl.DataFrame]:
    """Everything one daily run loads for the articles `ids` (first fetches) on day `day_index`."""
    day = FIRST_DAY + timedelta(days=day_index)
    n = len(ids)
    offsets = pl.Series(rng.integers(0, 12 * 3600, n) * 1_000_000).cast(pl.Duration("us"))
    fetched_at = pl.select(
        pl.lit(datetime(day.year, day.month, day.day, 6, tzinfo=UTC)) + offsets
    ).to_series()
    site = pl.Series(np.array(SITES)[ids % len(SITES)])
    url = pl.Series([f"https://{s}.test/article/{i}" for s, i in zip(site, ids, strict=True)])
    image_count = rng.integers(0, 4, n)
    link_count = rng.integers(0, 5, n)
    articles = pl.DataFrame(
        {
            "article_id": pl.Series([f"a{i}" for i in ids]),
            "url": url,
            "canonical_url": url,
            "site": site,
            "title": sentences(rng, vocab, n, 8),
            "description": sentences(rng, vocab, n, 12),
            "authors": [[f"كاتب {i % 500}"] for i in ids],
            "language": "ar",
            "section": np.array(SECTIONS)[ids % len(SECTIONS)],
            "tags": [[WORDS[i % len(WORDS)]] for i in ids],
            "body_text": sentences(rng, vocab, n, 60),
            "content_hash": pl.Series([f"h{i}-1" for i in ids]),
            "near_duplicate_cluster_id": None,
            "archive_key": None,
            "field_sources": "{}",
            "word_count": 60,
            "image_count": image_count,
            "related_link_count": link_count,
            "partition_date": day,
            "published_at": fetched_at - timedelta(hours=1),
            "modified_at": None,
            "fetched_at": fetched_at,
        }
    )
    # columns the contract gained since (identity, canonical checks): null, as for a row loaded before them
    articles = (
        articles.with_columns(
            pl.lit(None).alias(name) for name in schema.RAW_ARTICLES.names() if name not in articles.columns
        )
        .cast(dict(schema.RAW_ARTICLES), strict=False)
        .select(schema.RAW_ARTICLES.names())
    )
    images = children(articles, image_count, "image", rng)
    links = children(articles, link_count, "link", rng)
    attempts = fetch_attempts(articles, rng)
    discovered = articles.select(
        "url",
        "site",
        source_kind=pl.lit("feed"),
        source_url=pl.format("https://{}.test/feed", "site"),
        title="title",
        keywords="tags",
        published_at="published_at",
        lastmod=pl.lit(None, schema.UTC_TIMESTAMP),
    )
    return {
        "day": day,
        "articles": articles,
        "images": images,
        "links": links,
        "attempts": attempts,
        "discovered": discovered,
    }


def children(articles: pl.DataFrame, counts: np.ndarray, kind: str, rng: np.random.Generator) -> pl.DataFrame:
    parents = articles.select("article_id", "content_hash", "partition_date", "site").with_columns(
        count=pl.Series(counts)
    )
    rows = (
        parents.with_columns(position=pl.int_ranges("count", dtype=pl.Int32))
        .explode("position")
        .drop_nulls("position")
    )
    n = rows.height
    if kind == "image":
        credit = rng.integers(0, len(CREDITS), n)
        return rows.select(
            image_id=pl.format("{}-i{}", "article_id", "position"),
            article_id="article_id",
            content_hash="content_hash",
            url=pl.format("https://{}.test/photo/{}-{}.jpg", "site", "article_id", "position"),
            caption=pl.lit("الرئيس في موسكو"),
            alt_text=pl.lit(None, pl.String),
            credit_raw=pl.Series([CREDITS[c][0] for c in credit]),
            credit=pl.Series([CREDITS[c][1] for c in credit]),
            caption_source=pl.lit("figure"),
            credit_source=pl.lit("figure"),
            position="position",
            width=pl.lit(1200, pl.Int32),
            height=pl.lit(800, pl.Int32),
            is_lead=pl.col("position") == 0,
            is_archive_photo=pl.lit(False),
            partition_date="partition_date",
        )
    # a third of the cards point at articles of the warehouse, the rest elsewhere
    newest = int(articles.get_column("article_id").str.slice(1).cast(pl.Int64).max())
    target = rng.integers(0, max(1, newest // len(SITES)), n)
    internal = rng.random(n) < 0.33
    place = rng.integers(0, len(PLACES), n)
    return rows.with_columns(target=pl.Series(target), internal=pl.Series(internal)).select(
        link_id=pl.format("{}-l{}", "article_id", "position"),
        article_id="article_id",
        content_hash="content_hash",
        url=pl.when("internal")
        .then(pl.format("https://{}.test/article/{}", pl.lit(SITES[0]), pl.col("target") * len(SITES)))
        .otherwise(pl.format("https://elsewhere.test/{}", "target")),
        title=pl.lit("عنوان مرتبط"),
        section=pl.lit("أوروبا"),
        summary=pl.lit(None, pl.String),
        image_url=pl.lit(None, pl.String),
        image_caption=pl.lit(None, pl.String),
        byline=pl.lit("«الشرق الأوسط»"),
        byline_source=pl.lit("الشرق الأوسط"),
        byline_kind=pl.lit("organisation"),
        byline_place=pl.Series([PLACES[p] for p in place], dtype=pl.String),
        position="position",
        partition_date="partition_date",
    )


def fetch_attempts(articles: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    ok = articles.select(
        "url",
        "site",
        final_url="url",
        outcome=pl.lit("ok"),
        content_type=pl.lit("text/html"),
        encoding=pl.lit("utf-8"),
        archive_key=pl.lit(None, pl.String),
        body_sha256="content_hash",
        etag=pl.format('"{}"', "content_hash"),
        last_modified=pl.lit(None, pl.String),
        error=pl.lit(None, pl.String),
        attempt=pl.lit(1, pl.Int32),
        status=pl.lit(200, pl.Int32),
        bytes_received=pl.lit(40_000, pl.Int64),
        bytes_decoded=pl.lit(120_000, pl.Int64),
        elapsed_ms=pl.lit(180, pl.Int64),
        is_final=pl.lit(True),
        unchanged=pl.lit(False),
        fetched_at="fetched_at",
    )
    # one page in twenty fails for good, after a retry
    failed_count = max(1, articles.height // 20)
    failed = ok.head(failed_count).with_columns(
        url=pl.col("url") + "-gone",
        final_url=pl.lit(None, pl.String),
        outcome=pl.Series(np.array(OUTCOMES_FAILED)[rng.integers(0, len(OUTCOMES_FAILED), failed_count)]),
        status=pl.lit(None, pl.Int32),
        error=pl.lit("synthetic failure"),
    )
    retried = failed.with_columns(attempt=pl.lit(1, pl.Int32), is_final=pl.lit(False))
    return pl.concat([ok, retried, failed.with_columns(attempt=pl.lit(2, pl.Int32))]).select(
        schema.FETCH_ATTEMPTS.names()
    )


def revise(batch: dict[str, pl.DataFrame], share: float, day_index: int) -> dict[str, pl.DataFrame]:
    """A later day's re-extraction of some earlier articles with a rewritten headline (a new revision)."""
    day = FIRST_DAY + timedelta(days=day_index)
    shift = timedelta(days=day_index) - (batch["day"] - FIRST_DAY)
    chosen = batch["articles"].sample(fraction=share, seed=day_index)
    new_hash = pl.col("content_hash").str.replace("-1$", "-2")
    articles = chosen.with_columns(
        title=pl.col("title") + " (محدث)",
        content_hash=new_hash,
        partition_date=pl.lit(day),
        fetched_at=pl.col("fetched_at") + shift,
    )
    ids = chosen.select("article_id")
    return {
        "day": day,
        "articles": articles,
        "images": batch["images"]
        .join(ids, on="article_id")
        .with_columns(content_hash=new_hash, partition_date=pl.lit(day)),
        "links": batch["links"]
        .join(ids, on="article_id")
        .with_columns(content_hash=new_hash, partition_date=pl.lit(day)),
    }


def load(conn: duckdb.DuckDBPyConnection, batch: dict, run_id: str) -> int:
    if "attempts" in batch:
        warehouse.load_discovered(conn, batch["day"], run_id, batch["discovered"])
        warehouse.load_fetch_log(conn, batch["day"], run_id, batch["attempts"])
        quarantined = batch["articles"].tail(max(1, batch["articles"].height // 100))
        warehouse.load_quarantine(
            conn,
            "articles",
            quarantined.with_columns(failed_expectations=pl.lit(["body_min_length"])),
            run_id,
        )
    counts = warehouse.load_articles(conn, run_id, batch["articles"], batch["images"], batch["links"])
    return counts.articles


def dbt_build(db_path: Path, target: Path, day: date | None = None) -> float:
    """`dbt build` of the warehouse; with `day`, scoped to that day's window as the pipeline's dbt asset passes it
    (without one, the incremental marts recompute every day's rows: the first build, not a daily one)."""
    dbt_vars = {"duckdb_path": str(db_path.resolve())}
    if day is not None:
        dbt_vars |= {"min_date": day.isoformat(), "max_date": (day + timedelta(days=1)).isoformat()}
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--project-dir", str(DBT_DIR), "--profiles-dir",
         str(DBT_DIR), "--target-path", str(target), "--log-path", str(target), "--quiet",
         "--vars", json.dumps(dbt_vars)],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def time_queries(published: Path, repeats: int = 3) -> dict[str, dict]:
    results = {}
    with publish.connect_published(published) as conn:
        for path in sorted(QUERIES_DIR.glob("*.sql")):
            sql = path.read_text()
            timings, rows = [], 0
            for _ in range(repeats):
                started = time.perf_counter()
                rows = len(conn.sql(sql).fetchall())
                timings.append(time.perf_counter() - started)
            results[path.stem] = {"median_ms": round(statistics.median(timings) * 1000, 1), "rows": rows}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=int, default=1_000_000, help="raw article rows to load, revisions included"
    )
    parser.add_argument("--days", type=int, default=30, help="daily loads of history")
    parser.add_argument(
        "--day-step",
        type=int,
        default=12,
        help="days between two loads of history: 30 loads 12 days apart span a year, so the history has the "
        "months a real one has and the next day's publish rewrites its month, not all of them",
    )
    parser.add_argument(
        "--revised-share", type=float, default=0.05, help="share of articles that get a revision 2"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    db_path = args.out / f"warehouse-{args.articles}.duckdb"
    published_path = args.out / f"published-{args.articles}.duckdb"
    for path in (db_path, Path(f"{db_path}.wal"), published_path):
        path.unlink(missing_ok=True)

    rng = np.random.default_rng(7)
    vocab = vocabulary(rng)
    first_fetches = int(args.articles / (1 + args.revised_share))
    per_day = np.array_split(np.arange(first_fetches), args.days)
    report: dict = {"articles": args.articles, "days": args.days}

    generate_s = load_s = 0.0
    loaded = 0
    with duckdb.connect(str(db_path)) as conn:
        warehouse.ensure_schema(conn)
        batches: list[dict] = []  # the last three days: revisions revisit the day before yesterday
        for index, ids in enumerate(per_day):
            started = time.perf_counter()
            batch = day_batch(rng, vocab, index * args.day_step, ids)
            generate_s += time.perf_counter() - started
            started = time.perf_counter()
            loaded += load(conn, batch, f"run-{index}")
            load_s += time.perf_counter() - started
            batches = [*batches[-2:], batch]
            if index >= 2:
                started = time.perf_counter()
                revision = revise(batches[0], args.revised_share, index * args.day_step)
                generate_s += time.perf_counter() - started
                started = time.perf_counter()
                loaded += load(conn, revision, f"run-{index}")
                load_s += time.perf_counter() - started
        # re-running the last day's load is the idempotence check: it must add nothing
        started = time.perf_counter()
        rerun_added = load(conn, batches[-1], "rerun")
        report["rerun_day_load_s"] = round(time.perf_counter() - started, 2)
        report["rerun_added_rows"] = rerun_added
        counts = {
            table: conn.sql(f"select count(*) from raw.{table}").fetchone()[0]
            for table in ("articles", "images", "related_links", "fetch_log", "discovered_urls")
        }
    report.update(
        generate_s=round(generate_s, 1), load_s=round(load_s, 1), raw_rows=counts, loaded_articles=loaded
    )
    report["load_article_rows_per_s"] = round(loaded / load_s)

    report["dbt_build_full_s"] = round(dbt_build(db_path, args.out / "dbt-target"), 1)
    # the first publish writes every month; the next day's publish is what a daily run pays
    started = time.perf_counter()
    publish.publish(db_path, published_path)
    report["publish_all_history_s"] = round(time.perf_counter() - started, 1)
    # one more day then an incremental build: what a daily run pays
    with duckdb.connect(str(db_path)) as conn:
        next_day_index = (args.days - 1) * args.day_step + 1
        extra = day_batch(
            rng, vocab, next_day_index, np.arange(first_fetches, first_fetches + first_fetches // args.days)
        )
        started = time.perf_counter()
        load(conn, extra, "run-next")
        report["next_day_load_s"] = round(time.perf_counter() - started, 2)
    report["dbt_build_next_day_s"] = round(
        dbt_build(db_path, args.out / "dbt-target", FIRST_DAY + timedelta(days=next_day_index)), 1
    )

    started = time.perf_counter()
    day = publish.publish(db_path, published_path)
    report["publish_next_day_s"] = round(time.perf_counter() - started, 1)
    report["publish_next_day_parts"] = {"written": day.parts_written, "kept": day.parts_kept}
    report["publish_next_day_rows_written"] = day.rows_written
    report["publish_next_day_rows_fingerprinted"] = day.rows_fingerprinted
    report["queries"] = time_queries(published_path)
    report["warehouse_mb"] = round(db_path.stat().st_size / 2**20)
    report["published_mb"] = round(
        sum(path.stat().st_size for path in publish.parts_dir(published_path).rglob("*.parquet")) / 2**20
    )

    text = json.dumps(report, indent=2, ensure_ascii=False)
    (args.out / f"warehouse-{args.articles}.json").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
