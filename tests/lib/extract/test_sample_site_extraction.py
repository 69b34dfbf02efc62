"""The bundled sample site (demo) read exactly as its expected.json says, page by page."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.lib.extract import extract_article

SAMPLE_SITE = Path(__file__).parents[3] / "demo"
EXPECTED = SAMPLE_SITE / "expected.json"
BASE_URL = "http://127.0.0.1:8123"

pytestmark = pytest.mark.skipif(not EXPECTED.exists(), reason="the sample site is not in this checkout")


def _pages() -> list[dict]:
    if not EXPECTED.exists():
        return []
    expected = json.loads(EXPECTED.read_text(encoding="utf-8").replace("__BASE_URL__", BASE_URL))
    return [page for page in expected["pages"] if page.get("body_paragraphs")]


def _utc(value: str | None) -> str | None:
    if not value:
        return value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("page", _pages(), ids=lambda page: f"{page['style']}:{page['path']}")
def test_sample_page_is_read_exactly(page):
    raw = (SAMPLE_SITE / page["file"]).read_bytes().replace(b"__BASE_URL__", BASE_URL.encode())
    article = extract_article(raw, page["url"], encoding=page["encoding"])

    assert article.error is None
    assert article.title == page["title"]
    assert article.description == page["description"]
    assert article.authors == page["authors"]
    assert article.language == page["language"]
    assert article.section == page["section"]
    assert article.tags == page["tags"]
    assert article.canonical_url == page["canonical_url"]
    assert _utc(article.published_at) == page["published_at"]
    assert article.body_text.split("\n") == page["body_paragraphs"]
    for text in page["body_excludes"]:
        assert text not in article.body_text
    images = [
        {
            "position": i.position,
            "url": i.url,
            "caption": i.caption,
            "credit_raw": i.credit_raw,
            "is_lead": i.is_lead,
            "alt": i.alt_text,
            "width": i.width,
            "height": i.height,
        }
        for i in article.images
    ]
    keys = ("position", "url", "caption", "credit_raw", "is_lead", "alt", "width", "height")
    assert images == [{key: image[key] for key in keys} for image in page["images"]]
    fields = ("position", "url", "title", "section", "summary", "image_url", "image_caption", "byline")
    related = [{field: getattr(link, field) for field in fields} for link in article.related]
    assert related == [{field: card[field] for field in fields} for card in page["related"]]
