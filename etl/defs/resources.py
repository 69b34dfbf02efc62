"""Resources: where an installation keeps its files, the warehouse, the raw archive, the HTTP client, dbt.

A home reaches the resources in one of two ways, both explicit and fixed for the whole run (the multiprocess
executor's child processes get the same): the `akhbar` command puts the home in the run's config
(`home_run_config`), and `dagster dev`, started on a home by `make ui` (etl/ui.py), is given the home in the
environment of its processes (`home_environment`), which `dg.EnvVar` reads when a run starts, never at import.
Nothing writes `os.environ` to reach them, so one process can run two homes one after the other.
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


# (resource, field) -> the environment variable `dagster dev` reads it from
HOME_VARIABLES = {
    ("akhbar", "home"): "AKHBAR_HOME",
    ("akhbar", "sites_file"): "AKHBAR_SITES",
    ("duckdb", "database"): "DUCKDB_PATH",
    ("archive", "url"): "AKHBAR_ARCHIVE",
}


def _home_settings(home: Home, sites_file: Path) -> dict[tuple[str, str], str]:
    return {
        ("akhbar", "home"): str(home.root.resolve()),
        ("akhbar", "sites_file"): str(sites_file.resolve()),
        ("duckdb", "database"): str(home.warehouse.resolve()),
        ("archive", "url"): str(home.archive.resolve()),
    }


def home_run_config(home: Home, sites_file: Path) -> dict[str, dict]:
    """The `resources` section of a run's config that points every resource at `home` and its sites file."""
    config: dict[str, dict] = {}
    for (resource, field), value in _home_settings(home, sites_file).items():
        config.setdefault(resource, {"config": {}})["config"][field] = value
    return config


def home_environment(home: Home, sites_file: Path) -> dict[str, str]:
    """The variables that point `dagster dev`'s processes (and their runs) at `home`, Dagster's instance too."""
    settings = _home_settings(home, sites_file)
    return {
        **{variable: settings[key] for key, variable in HOME_VARIABLES.items()},
        "DAGSTER_HOME": str(home.dagster.resolve()),
    }


def _from_environment(resource: str, field: str) -> dg.EnvVar:
    return dg.EnvVar(HOME_VARIABLES[(resource, field)])


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "akhbar": AkhbarHome(
                home=_from_environment("akhbar", "home"), sites_file=_from_environment("akhbar", "sites_file")
            ),
            "duckdb": DuckDBResource(
                database=_from_environment("duckdb", "database"), connection_config=CONNECTION_CONFIG
            ),
            "archive": RawArchiveResource(url=_from_environment("archive", "url")),
            "http": HttpClientResource(),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        }
    )
