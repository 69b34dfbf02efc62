"""Benchmark: normalize N synthetic article rows (with images and related links), then validate a slice.

    .venv/bin/python bench/normalize.py [--rows 100000] [--images-per-article 3] [--links-per-article 4]
                                        [--validate-rows 10000]

Rows are built from the seed page's real Arabic paragraphs, captions, credits and bylines, with the noise real
pages carry (bidi marks, tatweel, NBSP, Arabic-Indic digits, dates in ISO, RFC 2822 and Arabic text). Prints
rows per second (wall clock and CPU seconds) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, date, datetime

import numpy as np
import polars as pl

from etl.lib.normalize.batch import normalize_batch
from etl.lib.quality.validation import validate_batch
from etl.lib.schema import EXTRACTED_ARTICLES, EXTRACTED_IMAGES, EXTRACTED_RELATED_LINKS

PARAGRAPHS = [
    "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله وزير الخارجية الروسي سيرغي لافروف أمس (الخميس)، أنه يريد\u00a0بناء علاقة «تتطلع إلى المستقبل» مع موسكو.",
    "وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ، قبل رحلة محتملة للرئيس فلاديمير بوتين إلى هذا البلد الذي يدعم روسيا في حربها ضد أوكرانيا، وفقاً لـ«وكالة الصحافة الفرنسية».",
    "\u200fوقال كيم إن هدف حزب «العمال» الحاكم والحكومة هو «وضع خطة مستقرة وتطلعية وبعيدة المدى للعلاقات بين كوريا الديمقراطية وروسيا».",
    "وكان وزير الخارجية الروسي دان، (الخميس)، السياسة العسكرية «الخطرة» التي تنتهجها الولايات المتحدة وحلفاؤها ضد كوريا الشمالية.",
    "أعلنت مجموعة السبع في بيانها الختامي، اليوم، الاتفاق على قرض بقيمة ٥٠ مليار دولار لأوكرانيا مدعوم بفوائد الأصول الروسية.",
    "وخسر الحزب «الليبرالي الديمقراطـــي» الحاكم في اليابان غالبيته في الغرفة السفلى للبرلمان، في الانتخابات التشريعية التي جرت الأحد.",
    "Die Aufregung nach dem Aufmarsch von Islamisten in Hamburg bleibt groß. Auch in Österreich stellt sich nun die Frage.",
    "وتتمركز قاذفة أميركية من طراز «بي-52» قادرة على حمل رأس حربي نووي على مسافة نحو مائة كيلومتر جنوب سيول.",
]
DATES = [
    "2024-10-28T10:30:00+03:00",
    "Mon, 28 Oct 2024 10:30:00 +0300",
    "نُشر: 14:19-28 أكتوبر 2024 م ـ 25 رَبيع الثاني 1446 هـ",
    "٢٨ تشرين الأول ٢٠٢٤",
    "2024-05-03 15:47:42.389000+00:00",
]
CREDITS = [
    "أ.ف.ب",
    "ا.ف.ب",
    "رويترز",
    "د.ب.أ",
    "أرشيفية - رويترز",
    "AFP/Getty Images",
    "وسائل إعلام روسية",
    None,
]
CAPTIONS = [
    "الزعيم الكوري الشمالي كيم جونغ أون يصافح وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ",
    "الزعيم الكوري الشمالي كيم جونغ أون (د.ب.أ)",
    "رئيس الوزراء الياباني شيغيرو إيشيبا",
]
BYLINES = [
    "«الشرق الأوسط» (موسكو)",
    "براكريتي غوبتا (نيودلهي)",
    "لندن: «الشرق الأوسط»",
    "CAIRO (Reuters) -",
    None,
]


def _pick(rng: np.random.Generator, pool: list, n: int) -> list:
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def synthetic_batch(rows: int, images_per_article: int, links_per_article: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    urls = [f"https://aawsat.com/العالم/{i}-خبر" for i in range(rows)]
    # Every article gets its own text: 8 paragraphs of 24 words drawn from the seed's vocabulary, the first
    # paragraph a real one (with the noise the pipeline must clean); each story differs like real ones do.
    vocabulary = sorted({word for paragraph in PARAGRAPHS for word in paragraph.split()})
    word_ids = rng.integers(0, len(vocabulary), (rows, 7, 24))
    firsts = _pick(rng, PARAGRAPHS, rows)
    bodies = [
        "\n\n".join([first, *(" ".join(vocabulary[w] for w in paragraph) for paragraph in article)])
        for first, article in zip(firsts, word_ids, strict=True)
    ]
    # one article in a hundred is an exact wire copy of another, one in a hundred a copy with a sentence added
    sources = rng.integers(0, rows, rows // 50)
    targets = rng.integers(0, rows, rows // 50)
    for number, (source, target) in enumerate(zip(sources, targets, strict=True)):
        bodies[target] = bodies[source] + (
            "\nوتابعت الوكالة أن الجانبين بحثا ملفات إقليمية." if number % 2 else ""
        )
    articles = pl.DataFrame(
        {
            "url": urls,
            "requested_url": urls,
            "site": ["aawsat"] * rows,
            "partition_date": [date(2024, 10, 28)] * rows,
            "fetched_at": [datetime(2024, 10, 28, 12, tzinfo=UTC)] * rows,
            "archive_key": [f"{i:08x}" for i in range(rows)],
            "body_sha256": ["0" * 64] * rows,
            "canonical_url": urls,
            "title": [f"\u200fعنوان الخبر رقم {i} مع روسيا" for i in range(rows)],
            "description": _pick(rng, PARAGRAPHS, rows),
            "authors": [["«الشرق الأوسط»"]] * rows,
            "published_at_raw": _pick(rng, DATES, rows),
            "modified_at_raw": [None] * rows,
            "site_name": ["الشرق الأوسط"] * rows,
            # one in a hundred declares no language: py3langid runs on those only
            "language": ["ar-SA" if i % 100 else None for i in range(rows)],
            "section": _pick(rng, ["آسيا", "أوروبا", "حصاد الأسبوع"], rows),
            "tags": [["روسيا", "كوريا الشمالية"]] * rows,
            "body_text": bodies,
            "field_sources": ['{"title": "jsonld"}'] * rows,
            "rejected_values": ["[]"] * rows,
            "error": [None] * rows,
        },
        schema=EXTRACTED_ARTICLES,
    )
    n_images = rows * images_per_article
    images = pl.DataFrame(
        {
            "url": [u for u in urls for _ in range(images_per_article)],
            "partition_date": [date(2024, 10, 28)] * n_images,
            "position": list(range(images_per_article)) * rows,
            "image_url": [f"https://static.aawsat.com/{i}.jpg" for i in range(n_images)],
            "alt_text": [None] * n_images,
            "caption": _pick(rng, CAPTIONS, n_images),
            "credit_raw": _pick(rng, CREDITS, n_images),
            "width": [800] * n_images,
            "height": [450] * n_images,
            "is_lead": [True, *[False] * (images_per_article - 1)] * rows,
        },
        schema=EXTRACTED_IMAGES,
    )
    n_links = rows * links_per_article
    links = pl.DataFrame(
        {
            "url": [u for u in urls for _ in range(links_per_article)],
            "partition_date": [date(2024, 10, 28)] * n_links,
            "position": list(range(links_per_article)) * rows,
            "target_url": [f"https://aawsat.com/related/{i}" for i in rng.integers(0, rows, n_links)],
            "title": _pick(rng, PARAGRAPHS, n_links),
            "section": _pick(rng, ["آسيا", "أوروبا"], n_links),
            "summary": _pick(rng, PARAGRAPHS, n_links),
            "image_url": [None] * n_links,
            "image_caption": _pick(rng, CAPTIONS, n_links),
            "byline": _pick(rng, BYLINES, n_links),
        },
        schema=EXTRACTED_RELATED_LINKS,
    )
    return articles, images, links


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--images-per-article", type=int, default=3)
    parser.add_argument("--links-per-article", type=int, default=4)
    parser.add_argument("--validate-rows", type=int, default=10_000, help="0 skips validation")
    args = parser.parse_args()

    articles, images, links = synthetic_batch(args.rows, args.images_per_article, args.links_per_article)
    print(f"input: {articles.height} articles, {images.height} images, {links.height} related links; "
          f"RSS after generation {peak_rss_mib():.0f} MiB")  # fmt: skip

    started, cpu_started = time.perf_counter(), time.process_time()
    batch = normalize_batch(articles, images, links)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU seconds (all threads) tell the cost apart from waiting on a machine shared with other work
    clusters = batch.articles.group_by("near_duplicate_cluster_id").len().filter(pl.col("len") > 1)
    print(
        f"normalize: {elapsed:.2f} s wall, {cpu:.2f} s CPU, {args.rows / elapsed:,.0f} articles/s "
        f"({(articles.height + images.height + links.height) / elapsed:,.0f} rows/s over all three tables); "
        f"peak RSS {peak_rss_mib():.0f} MiB"
    )
    print(
        f"  near-duplicate clusters with >1 member: {clusters.height} "
        f"(largest {clusters['len'].max() or 0}; about {args.rows // 50} copies were planted)"
    )

    if args.validate_rows:
        n = min(args.validate_rows, args.rows)
        sliced_articles = batch.articles.head(n)
        ids = sliced_articles["article_id"].implode()
        sliced = type(batch)(
            articles=sliced_articles,
            images=batch.images.filter(pl.col("article_id").is_in(ids)),
            related_links=batch.related_links.filter(pl.col("article_id").is_in(ids)),
        )
        import great_expectations  # noqa: F401  # its import time is paid once per process, not per batch

        started, cpu_started = time.perf_counter(), time.process_time()
        results = validate_batch(sliced, run_id="bench")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rows = sum(v.statistics["rows_in"] for v in results.values())
        quarantined = sum(v.quarantined.height for v in results.values())
        print(
            f"validate: {n} articles ({rows} rows over three tables) in {elapsed:.2f} s wall, {cpu:.2f} s CPU, "
            f"{quarantined} quarantined; peak RSS {peak_rss_mib():.0f} MiB"
        )


if __name__ == "__main__":
    main()
