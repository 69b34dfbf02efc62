"""End to end: a page with bad optional fields still reaches the marts, the fields null and their values kept."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import run_akhbar

DAY = "2024-10-28"
PAGE = "/world/asia/4686136-kim-jong-un-russia"
PRINTED_DATE = "2024-10-18T10:20:00+03:00"
FUTURE_DATE = "2099-10-18T10:20:00+03:00"
INLINE_CAPTION = "الزعيم الكوري الشمالي كيم جونغ أون خلال اجتماع للحزب الحاكم"
# a caption that swallowed the article's paragraphs: longer than any caption is
LONG_CAPTION = " ".join(
    ["الزعيم الكوري الشمالي كيم جونغ أون يستقبل وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ."] * 15
)


def _with_bad_fields(path: str, body: bytes) -> bytes:
    if path != PAGE:
        return body
    return body.replace(PRINTED_DATE.encode(), FUTURE_DATE.encode()).replace(
        INLINE_CAPTION.encode(), LONG_CAPTION.encode()
    )


@pytest.fixture(scope="module")
def run_with_bad_fields(tmp_path_factory: pytest.TempPathFactory):
    from demo.server import serve_sample_site, sites_yaml

    home = tmp_path_factory.mktemp("home")
    with serve_sample_site(transform=_with_bad_fields) as site:
        sites_file = home / "sites.yaml"
        sites_file.write_text(sites_yaml(site.base_url), encoding="utf-8")
        result = run_akhbar("run", "--sites", str(sites_file), "--date", DAY, home=home)
        assert result.returncode == 0, result.stdout + result.stderr
        yield home, site.url(PAGE)


def test_the_article_loads_with_its_bad_fields_null_and_their_values_kept(run_with_bad_fields):
    home, url = run_with_bad_fields
    with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
        article = conn.execute(
            "select article_id, published_at, body_text from marts.articles where url = ?", [url]
        ).fetchone()
        assert article is not None, "the article was withheld"
        article_id, published_at, body_text = article
        assert published_at is None or published_at.year < 2099
        assert "بناء علاقة «تتطلع إلى المستقبل»" in body_text
        images = conn.execute(
            "select position, caption, credit from marts.images where article_id = ? order by position",
            [article_id],
        ).fetchall()
        issues = conn.execute(
            "select table_name, field, value, rule, stage, site, run_id from quarantine.field_issues "
            "where article_id = ? order by field",
            [article_id],
        ).fetchall()
        other_issues = conn.execute(
            "select count(*) from quarantine.field_issues where article_id <> ?", [article_id]
        ).fetchone()
    # the lead photo is untouched; the inline one lost only its over-long caption
    assert images == [
        (
            0,
            "الزعيم الكوري الشمالي كيم جونغ أون يصافح وزير الخارجية الروسي سيرغي لافروف في بيونغ يانغ",
            "AFP",
        ),
        (1, None, "dpa"),
    ]
    by_field = {
        field: (table, value, rule, stage, site, run_id)
        for table, field, value, rule, stage, site, run_id in issues
    }
    assert set(by_field) == {"caption", "published_at"}
    assert by_field["caption"][:4] == ("images", LONG_CAPTION, "caption_length", "validate")
    table, value, rule, _stage, site, run_id = by_field["published_at"]
    assert (table, site) == ("articles", "aawsat") and "2099-10-18" in value and rule
    assert run_id and by_field["caption"][5] == run_id
    assert other_issues == (0,)


def test_status_counts_the_field_issues(run_with_bad_fields):
    home, _url = run_with_bad_fields
    result = run_akhbar("status", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    section = result.stdout.split("Field issues", 1)[1].split("\n\n", 1)[0]
    assert "caption_length" in section and "published_at" in section
    assert "unavailable" not in section
