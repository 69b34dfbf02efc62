"""The sites file: every mistake is one line naming the file and the field."""

from pathlib import Path

import pytest

from etl.lib.sites import SitesFileError, load_sites, parse_sites

GOOD = """
allow_private_networks: false
contact_url: https://example.org/akhbar
sites:
  - name: aawsat
    feeds: [https://aawsat.com/feed]
    sitemaps: [https://aawsat.com/sitemap.xml]
    language: ar
    delay_seconds: 1.0
    profile: aawsat
profiles:
  aawsat:
    related: "section.related-articles > article"
    exclude: ["//div[@class='most-read']", ".tt-widget"]
"""


def test_a_good_file_parses_with_defaults_and_profile():
    sites = parse_sites(GOOD)
    site = sites.site("aawsat")
    assert (site.delay_seconds, site.max_concurrency, site.revisit_after_days) == (1.0, 2, 7)
    assert sites.profile_for("aawsat").related == "section.related-articles > article"
    assert sites.full_user_agent.endswith("https://example.org/akhbar")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sites: [", "not valid YAML at line"),
        ("- just a list", "expected a mapping"),
        (
            "sites: [{name: a, urls: ['https://x.org/']}]\nextra_key: 1",
            "extra_key: Extra inputs are not permitted",
        ),
        ("sites: []", "sites: List should have at least 1 item"),
        ("sites: [{name: Bad Name, feeds: ['https://x.org/f']}]", "sites.0.name"),
        (
            "sites: [{name: a, feeds: ['ftp://x.org/f']}]",
            "sites.0.feeds: Value error, 'ftp://x.org/f' is not an http",
        ),
        ("sites: [{name: a}]", "needs at least one of feeds, sitemaps, urls or homepage"),
        ("sites: [{name: a, urls: ['https://x.org/']}, {name: a, urls: ['https://y.org/']}]", "repeated: a"),
        (
            "sites: [{name: a, urls: ['https://x.org/'], profile: nope}]",
            "names profile 'nope', which is not defined",
        ),
        ("sites: [{name: a, urls: ['https://x.org/'], delay_seconds: -1}]", "sites.0.delay_seconds"),
        (
            "sites: [{name: a, urls: ['https://x.org/'], profile: p}]\nprofiles: {p: {related: 'div[['}}",
            "profiles.p.related: Value error, invalid CSS selector 'div[['",
        ),
        (
            "sites: [{name: a, urls: ['https://x.org/'], profile: p}]\nprofiles: {p: {exclude: ['//div[']}}",
            "invalid XPath '//div['",
        ),
    ],
)
def test_every_mistake_is_one_line_naming_the_field(text: str, message: str):
    with pytest.raises(SitesFileError) as raised:
        parse_sites(text, source="sites.yaml")
    assert str(raised.value).startswith("sites.yaml: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_unreadable_files_are_one_line_too(tmp_path: Path):
    with pytest.raises(SitesFileError, match="cannot read"):
        load_sites(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("sites: [{name: caf\xe9}]".encode("latin-1"))
    with pytest.raises(SitesFileError, match="not UTF-8"):
        load_sites(latin)
