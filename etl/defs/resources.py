"""Resources: where an installation keeps its files, the warehouse, the raw archive, the HTTP client, dbt.

Everything is read from environment variables when a run starts (never at import), so the CLI, `dagster dev`
(started by `make ui`, etl/ui.py) and the multiprocess executor's child processes all see the same installation.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from etl.defs.transform.project import DBT_EXECUTABLE, dbt_project
from etl.lib.fetch import FetchSettings
from etl.lib.home import Home
from etl.lib.sites import SitesFile, load_sites
from etl.lib.warehouse import CONNECTION_CONFIG, RawArchive


class AkhbarHome(dg.ConfigurableResource):
    """An installation's home folder (warehouse, published copy, archive, data docs) and its sites file."""

    home: str
    sites_file: str

    @property
    def layout(self) -> Home:
        return Home(Path(self.home))

    def sites(self) -> SitesFile:
        return load_sites(self.sites_file)


class RawArchiveResource(dg.ConfigurableResource):
    """The content-addressed archive of fetched bodies; any fsspec URL (a local folder by default)."""

    url: str

    def archive(self) -> RawArchive:
        return RawArchive(self.url)


class HttpClientResource(dg.ConfigurableResource):
    """How Akhbar talks to news sites; the sites file adds the User-Agent and the private-network switch."""

    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 30.0
    attempt_timeout_seconds: float = 90.0
    max_attempts: int = 3
    respect_robots_txt: bool = True
    # networks (CIDRs) reachable even when the sites file refuses private ones: an internal mirror, a test server
    private_network_allowlist: list[str] = Field(default_factory=list)

    def settings(self, sites: SitesFile) -> FetchSettings:
        base = FetchSettings.from_sites(sites)
        return replace(
            base,
            connect_timeout=self.connect_timeout_seconds,
            read_timeout=self.read_timeout_seconds,
            total_timeout=self.attempt_timeout_seconds,
            max_attempts=self.max_attempts,
            respect_robots=self.respect_robots_txt,
            private_network_allowlist=tuple(self.private_network_allowlist),
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "akhbar": AkhbarHome(home=dg.EnvVar("AKHBAR_HOME"), sites_file=dg.EnvVar("AKHBAR_SITES")),
            "duckdb": DuckDBResource(database=dg.EnvVar("DUCKDB_PATH"), connection_config=CONNECTION_CONFIG),
            "archive": RawArchiveResource(url=dg.EnvVar("AKHBAR_ARCHIVE")),
            "http": HttpClientResource(),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        }
    )
