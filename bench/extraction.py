"""Extraction benchmark: Akhbar's extractor next to bare trafilatura 2.3.1, over ../shared/corpus.

    .venv/bin/python bench/extraction.py [--corpus /work/shared/corpus] [--datasets fundus,...] [--limit N]
        [--images]   # only the image-bearing sets (fundus, Mozilla's readability pages), Akhbar only
        [--misses]   # print each missed image, caption or credit of the DEV folds, expected next to ours

The image-bearing sets are split by publisher into dev and check folds (`bench/folds.py`), scored apart:
misses are looked at on the dev folds only, and a rule is kept when the check folds, publishers it was not
written against, gain too.

Metrics are the upstream ones (corpus README): scrapinghub body precision/recall/F1 on 4-gram shingles of
`\\w+` tokens, per-page normalised and averaged exactly as scrapinghub's evaluate.py does; trafilatura-eval
with/without snippets (F1 = 2TP/(2TP+FP+FN)); exact match per attribute on fundus. Title, date and author
accuracy are computed where the ground truth has them; fundus also gets image recall (our URL equals any
version's URL), caption exact match (whitespace normalised; a missed image counts as a miss; where the truth
keeps the photo credit inside the caption, ours is compared with its credit rejoined, see `_same_caption`),
the same match never rejoined (`caption_strict`, the figure before that fix), the caption compared token for
token as printed (`_same_caption_as_printed`) and credit match (same `\\w+` tokens as the joined photo
authors). Mozilla's readability pages give image recall (our URL equals `expected_images[].src`,
resolved against readability's test base URL) and caption (the figcaption text, credit included: ours is compared
with its credit rejoined where the page prints that credit apart in the figcaption, see `_credits_printed_apart`). Last, over every
dataset run: the pages where bare trafilatura finds a body and Akhbar none, counted and listed (the target
is 0: Akhbar's rules must never lose an article trafilatura finds).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html
import trafilatura

from bench.folds import split_of
from etl.lib.extract import extract_article
from etl.lib.extract.document import decode_body

DATASETS = (
    "scrapinghub-article-extraction-benchmark",
    "trafilatura-eval",
    "fundus",
    "mozilla-readability-test-pages",
)
IMAGE_DATASETS = ("fundus", "mozilla-readability-test-pages")
# readability's test harness resolves every page's relative URLs against this address.
_MOZILLA_BASE_URL = "http://fakehost/test/page.html"
_TOKEN = re.compile(r"\w+", re.UNICODE)
# readability copies into `src` an attribute of any name whose value is an image file (Readability.js
# `_fixLazyImages`): such an attribute is one of the picture's addresses.
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|webp)", re.IGNORECASE)


@dataclass
class Prediction:
    body: str = ""
    title: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    images: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # url, caption, credit


def akhbar(raw: bytes, url: str) -> Prediction:
    article = extract_article(raw, url)
    return Prediction(
        body=article.body_text,
        title=article.title,
        date=article.published_at,
        authors=article.authors,
        images=[(i.url, i.caption, i.credit_raw) for i in article.images],
    )


def bare_trafilatura(raw: bytes, url: str) -> Prediction:
    document = trafilatura.bare_extraction(decode_body(raw), url=url, with_metadata=True)
    if document is None:
        return Prediction()
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return Prediction(body=document.text or "", title=document.title, date=document.date, authors=authors)


EXTRACTORS: dict[str, Callable[[bytes, str], Prediction]] = {
    "akhbar": akhbar,
    "trafilatura": bare_trafilatura,
}


# ---------------------------------------------------------------- upstream body metrics


def shingle_tp_fp_fn(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """scrapinghub evaluate.py: multiset overlap of 4-token shingles, normalised to sum to 1."""
    true_shingles, pred_shingles = _shingles(true, n), _shingles(pred, n)
    tp = fp = fn = 0.0
    for key in set(true_shingles) | set(pred_shingles):
        t, p = true_shingles.get(key, 0), pred_shingles.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total > 0 else (tp, fp, fn)


def _shingles(text: str, n: int) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_scores(triples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision over pages with a prediction, mean recall over pages with truth, F1 of the means."""

    def precision(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean([precision(*t) for t in triples if t[0] + t[1] > 0] or [0.0])
    r = statistics.mean([recall(*t) for t in triples if t[0] + t[2] > 0] or [0.0])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def snippet_counts(body: str, with_: list[str], without: list[str]) -> tuple[int, int, int]:
    """trafilatura-eval: (TP, FP, FN) of must-have and must-not-have snippets, whitespace normalised."""
    text = " ".join(body.split())
    tp = sum(1 for s in with_ if " ".join(s.split()) in text)
    fp = sum(1 for s in without if " ".join(s.split()) in text)
    return tp, fp, len(with_) - tp


# ---------------------------------------------------------------- metadata and images


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _tokens(text: str | None) -> list[str]:
    return _TOKEN.findall((text or "").casefold())


def _date(value: str | None, utc: bool) -> str | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        match = re.search(r"\d{4}-\d{2}-\d{2}", text)
        return match.group(0) if match else None
    if utc and parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.date().isoformat()


# What may stand around a credit printed at the end of a caption: separators and brackets, a label of a word or
# three and a colon ("Foto:", "Image credit:", "Фото:"), "Photo by" or "©". The credit itself must be ours.
_CREDIT_LABEL = r"(?:(?:[^\W\d_]+\s+){0,2}[^\W\d_]+\s*[:：]|(?:photo(?:graph)?|picture|image|foto|bild)\s+(?:by|von|de|par)|©)"
_PRINTED_CREDIT = re.compile(
    rf"^[\s|/–—-]*[(\[（]?\s*(?:{_CREDIT_LABEL}\s*)?(?P<credit>.+?)\s*[)\]）]?\s*$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?。][\"'”’»)\]]*$")


def _same_caption(ours: tuple[str | None, str | None], truth: str, truth_credit: str | None = None) -> bool:
    """Our caption is the truth's, whitespace normalised. Fundus keeps the photo credit inside the caption on
    some publishers ("… yearbook. Photo by X", "… (AFP / X)", "…（警視庁提供）") and outside on others, and
    Mozilla's truth is the whole figcaption; Akhbar always prints the credit apart. So where the truth is our
    caption followed by a credit, ours matches when that credit, its label and brackets aside, is exactly ours:
    a caption cut short, a credit split wrongly or a word changed still misses."""
    caption, credit = _norm(ours[0]), _norm(ours[1])
    expected = _norm(truth)
    if caption == expected:
        return True
    if not caption or not credit or not expected.startswith(caption):
        return False
    match = _PRINTED_CREDIT.match(expected[len(caption) :])
    if match is None or match.group("credit") != credit:
        return False
    # The tail must be a credit: printed as one (a label, brackets, a separator), after a whole sentence, or the
    # truth's own credit (on readability's pages, the part the page's markup prints apart). "Kamala" and the
    # credit "Harris" are not the caption "Kamala Harris".
    return (
        match.group("credit") != match.group(0).strip()
        or bool(_SENTENCE_END.search(caption))
        or (truth_credit is not None and _tokens(truth_credit) == _tokens(credit))
    )


def _same_caption_as_printed(ours: tuple[str | None, str | None], truth: str) -> bool:
    """Fundus keeps the credit inside the caption on some publishers ("… Foto: dpa", "… (AFP)") and outside on
    others; this variant compares the caption as printed: ours, or ours followed by its credit, token for token
    (punctuation and labels such as "Photo by" aside)."""
    caption, credit = ours
    truth_tokens = _tokens(truth)
    if _tokens(caption) == truth_tokens:
        return True
    if not credit:
        return False
    joined = _tokens(f"{caption or ''} {credit}")
    return joined == truth_tokens or (
        truth_tokens[: len(_tokens(caption))] == _tokens(caption)
        and truth_tokens[-len(_tokens(credit)) :] == _tokens(credit)
    )


def _authors_equal(ours: list[str], truth: list[str]) -> bool:
    return sorted(" ".join(_tokens(a)) for a in ours) == sorted(" ".join(_tokens(a)) for a in truth)


# ---------------------------------------------------------------- runs


def load(corpus: Path, dataset: str, limit: int | None) -> list[tuple[dict, bytes]]:
    folder = corpus / dataset
    rows = [
        json.loads(line)
        for line in (folder / "ground-truth.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows = rows[:limit] if limit else rows
    return [(row, gzip.decompress((folder / row["file"]).read_bytes())) for row in rows]


def evaluate(
    dataset: str,
    pages: list[tuple[dict, bytes]],
    extractor: Callable[[bytes, str], Prediction],
    show_misses: bool = False,
    bodies_found: dict[str, bool] | None = None,
) -> dict[str, float]:
    """Score one extractor on one dataset; `bodies_found`, when given, gets page file -> whether a body came out."""
    scores: dict[str, float] = {}
    triples, tps, fps, fns = [], 0, 0, 0
    title_hits, title_total, date_hits, date_total, author_hits, author_total = 0, 0, 0, 0, 0, 0
    img_total = img_hits = cap_total = cap_hits = cap_strict_hits = cap_printed_hits = cred_total = (
        cred_hits
    ) = 0
    if pages:
        # Warm up (imports, justext stoplists, dateparser locales) so the timing compares steady states.
        extractor(pages[0][1], page_url(dataset, pages[0][0]))
    started = time.perf_counter()
    for row, raw in pages:
        pred = extractor(raw, page_url(dataset, row))
        if bodies_found is not None:
            bodies_found[row["file"]] = bool(pred.body.strip())
        if dataset.startswith("scrapinghub"):
            triples.append(shingle_tp_fp_fn(row.get("articleBody") or "", pred.body))
        if dataset == "trafilatura-eval":
            tp, fp, fn = snippet_counts(pred.body, row.get("with") or [], row.get("without") or [])
            tps, fps, fns = tps + tp, fps + fp, fns + fn
        truth_title = row.get("title")
        if truth_title:
            title_total += 1
            title_hits += _norm(pred.title) == _norm(truth_title)
        truth_date = row.get("date") or row.get("publishing_date")
        if truth_date:
            date_total += 1
            utc = dataset == "fundus"
            date_hits += _date(pred.date, utc) == _date(truth_date, utc)
        truth_authors = row.get("authors") if dataset == "fundus" else row.get("author")
        if truth_authors:
            if isinstance(truth_authors, str):
                truth_authors = [a for a in re.split(r";\s*", truth_authors) if a]
            author_total += 1
            author_hits += _authors_equal(pred.authors, truth_authors)
        ours = {url: (caption, credit) for url, caption, credit in pred.images}
        for truth in _truth_images(dataset, row, raw):
            match = next((ours[url] for url in truth.urls if url in ours), None)
            img_total += 1
            img_hits += match is not None
            caption_hit = credit_hit = True
            if truth.caption:
                cap_total += 1
                caption_hit = match is not None and _same_caption(
                    match, truth.caption, truth.credit or truth.credit_printed_apart
                )
                cap_hits += caption_hit
                cap_strict_hits += match is not None and _norm(match[0]) == _norm(truth.caption)
                cap_printed_hits += match is not None and _same_caption_as_printed(match, truth.caption)
            if truth.credit:
                cred_total += 1
                credit_hit = match is not None and _tokens(match[1]) == _tokens(truth.credit)
                cred_hits += credit_hit
            if show_misses and not (match is not None and caption_hit and credit_hit):
                _print_miss(row["file"], truth, match)
    if img_total:
        scores["images"] = img_total
    if cap_total:
        # the caption figures' denominator: on a small set one picture moves them by a tenth
        scores["captions"] = cap_total
    if triples:
        scores["body_P"], scores["body_R"], scores["body_F1"] = shingle_scores(triples)
    if dataset == "trafilatura-eval":
        scores["body_P"] = tps / (tps + fps) if tps + fps else 0.0
        scores["body_R"] = tps / (tps + fns) if tps + fns else 0.0
        scores["body_F1"] = 2 * tps / (2 * tps + fps + fns) if tps else 0.0
    for name, hits, total in (
        ("title", title_hits, title_total),
        ("date", date_hits, date_total),
        ("author", author_hits, author_total),
        ("img_recall", img_hits, img_total),
        ("caption", cap_hits, cap_total),
        ("caption_strict", cap_strict_hits, cap_total),
        ("caption_printed", cap_printed_hits, cap_total),
        ("credit", cred_hits, cred_total),
    ):
        if total:
            scores[name] = hits / total
    scores["ms_per_page"] = 1000 * (time.perf_counter() - started) / max(1, len(pages))
    return scores


@dataclass(frozen=True)
class TruthImage:
    """One image of the ground truth: the URLs it may be found at (each size), its caption and credit."""

    urls: tuple[str, ...]
    caption: str | None
    credit: str | None
    # Mozilla's truth is the whole figcaption and has no credit field: the part the page's markup prints apart,
    # as the figcaption's last element, stands for the truth's credit when a caption is compared.
    credit_printed_apart: str | None = None


def _truth_images(dataset: str, row: dict, raw: bytes) -> list[TruthImage]:
    if dataset == "fundus":
        return [
            TruthImage(
                urls=tuple(v["url"] for v in image.get("versions") or [] if v.get("url")),
                caption=image.get("caption"),
                credit=" ".join(image["authors"]) if image.get("authors") else None,
            )
            for image in row.get("images") or []
        ]
    if dataset == "mozilla-readability-test-pages":
        # readability lists a picture once per <img> (a lazy one and its <noscript> twin): one truth per URL.
        unique = {
            image["src"]: image.get("caption")
            for image in row.get("expected_images") or []
            if (image.get("src") or "").startswith(("http://", "https://"))
        }
        tree = lxml.html.fromstring(decode_body(raw))
        versions, apart = _printed_versions(tree), _credits_printed_apart(tree)
        return [
            TruthImage(
                urls=(src, *versions.get(src, ())),
                caption=caption,
                credit=None,
                credit_printed_apart=apart.get(_norm(caption)),
            )
            for src, caption in unique.items()
        ]
    return []


def _credits_printed_apart(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Each figcaption's whole text -> the text of its last element, where the figcaption is two elements or
    more and nothing else (`<span>A rally.</span> <span>Jane Doe / AFP</span>`): the page itself prints that part
    apart. A figcaption with loose text of its own ("A rally with <em>Kamala Harris</em>") or one element
    sets nothing apart."""
    apart: dict[str, str] = {}
    for figcaption in tree.iter("figcaption"):
        children = [child for child in figcaption if isinstance(child.tag, str)]
        loose = (figcaption.text or "") + "".join(child.tail or "" for child in children)
        if len(children) >= 2 and not _TOKEN.search(loose):
            apart[_norm(figcaption.text_content())] = _norm(children[-1].text_content())
    return apart


def _printed_versions(tree: lxml.html.HtmlElement) -> dict[str, tuple[str, ...]]:
    """Each address an <img> offers (src, srcset, lazy attributes of any name, its <picture>'s sources) with
    the others it offers, as fundus lists an image's versions: readability's truth names only one `src`, the
    one its lazy-image fix copied there from whichever attribute (`data-src`, `data-hi`...) held a file."""
    versions: dict[str, tuple[str, ...]] = {}
    for img in tree.iter("img"):
        holders = [img, *(img.getparent().iter("source") if img.getparent() is not None else ())]
        urls = tuple(
            urljoin(_MOZILLA_BASE_URL, candidate.split()[0])
            for holder in holders
            for name, value in holder.attrib.items()
            if "src" in name or _IMAGE_FILE.search(value)
            for candidate in re.split(r",\s+", value.strip())
            if candidate.strip()
        )
        for url in {urljoin(_MOZILLA_BASE_URL, (img.get("src") or "").strip()), *urls}:
            versions[url] = versions.get(url, ()) + urls
    return versions


def page_url(dataset: str, row: dict) -> str:
    """The address the page was fetched from, or the one readability's tests resolve its links against."""
    return row.get("url") or (_MOZILLA_BASE_URL if dataset == "mozilla-readability-test-pages" else "")


def _print_miss(page: str, image: TruthImage, ours: tuple[str | None, str | None] | None) -> None:
    """One missed image on stderr: what the ground truth has, what we produced (None: image not found)."""
    print(
        f"MISS {page}\n  expected: caption={image.caption!r} credit={image.credit!r} url={image.urls[-1:]}\n"
        f"  ours:     {'image not found' if ours is None else f'caption={ours[0]!r} credit={ours[1]!r}'}",
        file=sys.stderr,
    )


def default_corpus() -> Path:
    """`../shared/corpus` beside the checkout (one level further up from a worktree)."""
    root = Path(__file__).resolve().parents[1]
    candidates = [root.parent / "shared" / "corpus", root.parent.parent / "shared" / "corpus"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--extractors", default="akhbar,trafilatura")
    parser.add_argument(
        "--limit", type=int, default=None, help="first N pages of each dataset (for quick runs)"
    )
    parser.add_argument(
        "--images",
        action="store_true",
        help="score only the image-bearing sets (fundus, Mozilla's readability pages) with Akhbar alone",
    )
    parser.add_argument(
        "--misses",
        action="store_true",
        help="print each dev-fold image whose URL, caption or credit Akhbar misses (expected and ours) on stderr",
    )
    args = parser.parse_args()
    if args.images:
        args.datasets, args.extractors = ",".join(IMAGE_DATASETS), "akhbar"
    # trafilatura logs every page it discards at WARNING; the table is the output here.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    columns = (
        "body_P",
        "body_R",
        "body_F1",
        "title",
        "date",
        "author",
        "images",
        "img_recall",
        "captions",
        "caption",
        "caption_strict",
        "caption_printed",
        "credit",
        "ms_per_page",
    )
    print(f"| dataset | split | extractor | pages | {' | '.join(columns)} |")
    print(f"|---|---|---|---|{'---|' * len(columns)}")
    lost: list[str] = []  # pages where bare trafilatura finds a body and Akhbar none
    for dataset in args.datasets.split(","):
        found: dict[str, dict[str, bool]] = {}
        for split, pages in _splits(dataset, load(args.corpus, dataset, args.limit)):
            for name in args.extractors.split(","):
                show_misses = args.misses and name == "akhbar" and split == "dev"
                scores = evaluate(dataset, pages, EXTRACTORS[name], show_misses, found.setdefault(name, {}))
                cells = [
                    f"{scores[c]:.3f}"
                    if c in scores and c not in ("ms_per_page", "images", "captions")
                    else (f"{scores[c]:.0f}" if c in scores else "")
                    for c in columns
                ]
                print(f"| {dataset} | {split} | {name} | {len(pages)} | {' | '.join(cells)} |", flush=True)
        if {"akhbar", "trafilatura"} <= found.keys():
            lost += [
                f"{dataset}/{page}"
                for page, has_body in found["trafilatura"].items()
                if has_body and not found["akhbar"][page]
            ]
    if {"akhbar", "trafilatura"} <= set(args.extractors.split(",")):
        # Akhbar must never be worse than bare trafilatura at finding the article at all (target 0).
        print(f"\ntrafilatura finds a body, Akhbar none: {len(lost)} pages")
        for page in lost:
            print(f"  {page}")


def _splits(dataset: str, pages: list[tuple[dict, bytes]]) -> list[tuple[str, list[tuple[dict, bytes]]]]:
    """The image-bearing sets by publisher fold (dev, check); the others whole."""
    if dataset not in IMAGE_DATASETS:
        return [("all", pages)]
    return [
        (split, [page for page in pages if split_of(dataset, page[0]) == split]) for split in ("dev", "check")
    ]


if __name__ == "__main__":
    main()
