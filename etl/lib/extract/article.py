"""Extract one article from one page: body, metadata, images with captions and credits, related links.

One parse per page: the DOM rules read the tree first (images, related cards), then the blocks that must not
reach the body or metadata (related, most read, text-size widget, loose captions, menus, footers, sidebars) are
dropped from it and trafilatura reads what is left (it copies the tree before pruning, so there is no second
parse): its metadata from the whole page, its body text once the blocks beside the article that hold nothing to
read are gone too.

Akhbar's rules must never lose an article bare trafilatura finds: when the pruned page gives no body, or a
suspiciously short one, trafilatura also reads the page as fetched (a second parse and extraction, paid only
then), and the fuller reading wins when it holds far more (`field_sources["body_text"]` says which).

`extract_article` never raises: a page it cannot read comes back with `error` set to one line and nothing
else; a page that parses but holds no article text keeps what was read (title, images, ...) and says so in
`error` ("no article text found").
"""

from __future__ import annotations

from datetime import datetime

from etl.lib.extract.body import (
    extract_body,
    trafilatura_metadata,
    without_headline,
    without_link_lines,
    without_picture_lines,
)
from etl.lib.extract.captions import split_credit
from etl.lib.extract.document import DocumentError, decode_body, parse_document
from etl.lib.extract.dom import drop_invisible
from etl.lib.extract.images import extract_images
from etl.lib.extract.language import undeclared_language
from etl.lib.extract.metadata import (
    offer_trafilatura,
    page_title,
    printed_date,
    read_structured_metadata,
    url_date,
)
from etl.lib.extract.regions import drop_from_body, find_regions
from etl.lib.extract.related import read_related_cards
from etl.lib.fetch import classify_html
from etl.lib.records import ExtractedArticle
from etl.lib.sites import SiteProfile

__all__ = ["extract_article", "split_credit"]


def extract_article(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    profile: SiteProfile | None = None,
    language_hint: str | None = None,
    min_text_chars: int | None = None,
    fetched_at: datetime | None = None,
) -> ExtractedArticle:
    """Read one fetched page; never raises (a page that cannot be read has `error` set).

    With `min_text_chars`, the page is first judged as the fetcher judges pages (`pagecheck.classify_html`),
    on this one parse: a bot challenge or an empty shell comes back unread, `page_outcome` and `error` saying
    what it is. Dates are judged possible against `fetched_at` (default: now).
    """
    try:
        return _extract(
            body,
            url,
            encoding=encoding,
            profile=profile,
            language_hint=language_hint,
            min_text_chars=min_text_chars,
            fetched_at=fetched_at,
        )
    except DocumentError as error:
        if min_text_chars is not None:  # judged on the fetcher's own lenient parse, as it would have been
            outcome, why = classify_html(decode_body(body, encoding), min_text_chars=min_text_chars)
            if outcome != "ok":
                return ExtractedArticle(url=url, page_outcome=outcome, error=why)
        return ExtractedArticle(url=url, error=str(error))
    except RecursionError:
        return ExtractedArticle(url=url, error="document nested too deeply to read")
    except Exception as error:  # the contract: bad input never crashes the stage
        message = " ".join(str(error).split())[:200]
        return ExtractedArticle(url=url, error=f"extraction failed: {type(error).__name__}: {message}")


def _extract(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None,
    profile: SiteProfile | None,
    language_hint: str | None,
    min_text_chars: int | None,
    fetched_at: datetime | None,
) -> ExtractedArticle:
    document = parse_document(body, encoding)
    tree = document.tree
    meta = read_structured_metadata(tree, url, fetched_at)
    drop_invisible(tree)
    if min_text_chars is not None:
        outcome, why = classify_html(document.text, min_text_chars=min_text_chars, tree=tree)
        if outcome != "ok":
            return ExtractedArticle(url=url, page_outcome=outcome, error=why)
    regions = find_regions(tree, url, profile)
    excluded = regions.excluded()
    images, loose_captions = extract_images(
        regions.article,
        tree,
        url,
        excluded,
        meta.jsonld_images + meta.jsonld_image_objects,
        meta.lead_image_urls(),
        profile,
    )
    related = read_related_cards(regions.related, url, profile)

    drop_from_body(regions.body_excluded() + loose_captions)
    # A date printed with month names htmldate cannot read (Arabic) outranks trafilatura's guess, which then
    # falls back to dates in image URLs; otherwise htmldate, which weighs every date on the page, goes first.
    printed = printed_date(regions.article)
    if printed is not None and not printed.readable_by_htmldate:
        meta.offer("published_at", printed.date, "dom")
    # trafilatura's metadata pass (htmldate, byline heuristics) costs a fifth of the page time: run it only
    # when structured metadata left a core field empty.
    needs_metadata = not all(
        meta.values.get(name) for name in ("title", "published_at", "authors", "site_name")
    )
    if needs_metadata:
        offer_trafilatura(meta, trafilatura_metadata(tree, url))
    # the body is read from less of the page than the metadata: blocks beside the article with nothing to read
    drop_from_body(regions.textless_outside_article())
    body_text, body_source = extract_body(tree, url), "trafilatura"
    if len(body_text) < SHORT_BODY_CHARS:
        whole_page = extract_body(parse_document(document.text).tree, url)
        if whole_page and len(whole_page) >= FULLER_READING_RATIO * len(body_text):
            body_text, body_source = whole_page, "trafilatura_whole_page"
    meta.offer("published_at", url_date(url), "url")
    if printed is not None:
        meta.offer("published_at", printed.date, "dom")
    meta.offer("title", page_title(tree), "meta")
    body_text = without_headline(body_text, meta.values.get("title"))
    body_text = without_picture_lines(body_text, images)
    body_text = without_link_lines(body_text)
    if "language" not in meta.values and (
        found := undeclared_language(meta.values.get("title"), body_text, language_hint)
    ):
        meta.offer("language", *found)

    values = meta.values
    article = ExtractedArticle(
        url=url,
        canonical_url=values.get("canonical_url"),
        title=values.get("title"),
        description=values.get("description"),
        authors=list(values.get("authors") or []),
        published_at=values.get("published_at"),
        modified_at=values.get("modified_at"),
        site_name=values.get("site_name"),
        language=values.get("language"),
        section=values.get("section"),
        tags=list(values.get("tags") or []),
        body_text=body_text,
        images=images,
        related=related,
        field_sources={name: meta.sources[name] for name in values},
        rejected_values=meta.rejected,
    )
    if body_text:
        article.field_sources["body_text"] = body_source
    else:
        article.error = "no article text found"
    if images:
        article.field_sources["images"] = "profile" if profile and profile.images else "dom"
    if related:
        article.field_sources["related"] = "profile" if profile and profile.related else "dom"
    return article


# Below this many characters the pruned page's body is suspicious enough to read the whole page too.
SHORT_BODY_CHARS = 500
# The whole page's reading replaces the pruned one when it is at least this many times as long.
FULLER_READING_RATIO = 2
