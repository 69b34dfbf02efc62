"""The sites file: which news sites to crawl and how politely.

A bad sites file must end as one line naming what is wrong, so `load_sites` turns every YAML or schema error
into a `SitesFileError` whose message names the file and the field.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from etl.lib.selectors import selector_to_xpath

_SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class SitesFileError(ValueError):
    """The sites file cannot be used; the message is one line for the operator."""


class SiteProfile(BaseModel):
    """CSS selectors that override the generic extraction rules for one site, where those are not enough."""

    model_config = ConfigDict(extra="forbid")

    article: str | None = None  # the element holding the article (title, body, images)
    title: str | None = None
    body: str | None = None
    images: str | None = None  # image elements (or their figures) of the article
    caption: str | None = None  # relative to an image's figure
    credit: str | None = None  # relative to an image's figure
    related: str | None = None  # the related-articles block
    related_card: str | None = None  # one card within the related block
    exclude: list[str] = Field(default_factory=list)  # elements to drop before anything is read

    @field_validator("*")
    @classmethod
    def _valid_selectors(cls, value: str | list[str] | None) -> str | list[str] | None:
        # a typo in a selector is a config error at load time, not a silently empty field at run time
        for selector in [value] if isinstance(value, str) else value or []:
            selector_to_xpath(selector)
        return value


class SiteConfig(BaseModel):
    """One news site."""

    model_config = ConfigDict(extra="forbid")

    name: str
    homepage: str | None = None  # for feed auto-discovery through <link rel="alternate">
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    language: str | None = None
    delay_seconds: float = Field(default=1.0, ge=0, le=600)
    max_concurrency: int = Field(default=2, ge=1, le=32)
    revisit_after_days: int = Field(default=7, ge=0)
    max_pages: int = Field(default=10_000, ge=1)
    profile: str | None = None

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, value: str) -> str:
        if not _SITE_NAME.match(value):
            raise ValueError(
                "must be lowercase letters, digits, '-' or '_' (it becomes part of ids and paths)"
            )
        return value

    @field_validator("feeds", "sitemaps", "urls")
    @classmethod
    def _http_urls(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(r"^https?://[^/\s]+", value):
                raise ValueError(f"{value!r} is not an http(s) URL")
        return values

    @model_validator(mode="after")
    def _has_a_source(self) -> SiteConfig:
        if not (self.feeds or self.sitemaps or self.urls or self.homepage):
            raise ValueError("needs at least one of feeds, sitemaps, urls or homepage")
        return self


class SitesFile(BaseModel):
    """The whole sites file."""

    model_config = ConfigDict(extra="forbid")

    allow_private_networks: bool = False  # true only for local test sites
    user_agent: str = "Akhbar/0.1 (+https://github.com/akhbar-news/akhbar)"
    contact_url: str | None = None  # appended to the User-Agent so site operators can reach us
    start_date: date | None = None  # the first day collected: the UI's daily partitions begin there
    # an empty list would run the whole pipeline on nothing and report success
    sites: list[SiteConfig] = Field(min_length=1)
    profiles: dict[str, SiteProfile] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names_unique_and_profiles_known(self) -> SitesFile:
        names = [site.name for site in self.sites]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"site names must be unique, repeated: {', '.join(duplicates)}")
        for site in self.sites:
            if site.profile and site.profile not in self.profiles:
                raise ValueError(f"site {site.name!r} names profile {site.profile!r}, which is not defined")
        return self

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} {self.contact_url}" if self.contact_url else self.user_agent

    def site(self, name: str) -> SiteConfig:
        return next(site for site in self.sites if site.name == name)

    def profile_for(self, site_name: str) -> SiteProfile | None:
        profile = self.site(site_name).profile
        return self.profiles[profile] if profile else None


def parse_sites(text: str, source: str = "<sites>") -> SitesFile:
    """Parse and validate a sites file's text; raise `SitesFileError` with a one-line reason."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SitesFileError(f"{source}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise SitesFileError(f"{source}: expected a mapping with a 'sites' list")
    try:
        return SitesFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise SitesFileError(f"{source}: {location}: {first['msg']}{more}") from None


def load_sites(path: str | Path) -> SitesFile:
    """Read and validate the sites file at `path`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SitesFileError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SitesFileError(f"{path}: not UTF-8 text") from None
    return parse_sites(text, source=str(path))
