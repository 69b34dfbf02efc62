"""`make ui` as a user runs it on a fresh clone, with no virtualenv on PATH: its GraphQL API and its lineage page
in headless Chromium show the whole asset graph, the demo's run and partitions without missing days."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.runner import definitions
from tools.browser import rendered_text
from tools.running_ui import free_port, graphql, lineage_url, running_ui

REPO = Path(__file__).resolve().parents[1]

QUERY = """
{
  assetNodes {
    assetKey { path }
    dependencyKeys { path }
    groupName
    isPartitioned
    partitionStats { numMaterialized numPartitions numFailed }
  }
  repositoriesOrError {
    ... on RepositoryConnection { nodes { schedules { name } sensors { name } } }
  }
  runsOrError { ... on Runs { results { runId status tags { key value } } } }
}
"""

MARTS = ("articles", "images", "related_links")
MART_MATERIALIZATIONS = """
{
  assetNodes(assetKeys: [{path: ["marts", "articles"]}, {path: ["marts", "images"]}, {path: ["marts", "related_links"]}]) {
    assetKey { path }
    assetMaterializations(limit: 1) {
      metadataEntries {
        label
        ... on IntMetadataEntry { intValue }
        ... on TableSchemaMetadataEntry { schema { columns { name type } } }
      }
    }
  }
}
"""


def _environment_without_the_venv() -> dict[str, str]:
    """The user's shell on a fresh machine: no virtualenv on PATH, no Akhbar or Dagster variables."""
    venv_bin = Path(sys.executable).parent
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AKHBAR_", "DUCKDB_", "DAGSTER_")) and key != "VIRTUAL_ENV"
    }
    env["PATH"] = os.pathsep.join(
        entry for entry in env.get("PATH", "").split(os.pathsep) if entry and Path(entry) != venv_bin
    )
    assert shutil.which("dbt", path=env["PATH"]) is None, (
        "a dbt is on PATH: the test would not prove anything"
    )
    return env


@pytest.fixture(scope="module")
def ui_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home that does not exist yet."""
    return tmp_path_factory.mktemp("ui") / "home"


@pytest.fixture(scope="module")
def ui(ui_home: Path) -> Iterator[str]:
    """`make ui` on a home that does not exist yet: it runs the demo, then serves the UI on it."""
    folder = ui_home.parent
    port = free_port()
    command = [
        "make",
        "--no-print-directory",
        "ui",
        f"UI_HOME={ui_home}",
        f"UI_PORT={port}",
        "DEMO_PORT=0",
    ]
    with running_ui(
        command, f"http://127.0.0.1:{port}", env=_environment_without_the_venv(), log=folder / "make-ui.log"
    ) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def ui_data(ui: str) -> dict:
    return graphql(ui, QUERY)


def test_every_asset_of_the_definitions_is_in_the_ui_including_the_dbt_marts(ui_data: dict):
    shown = {"/".join(node["assetKey"]["path"]) for node in ui_data["assetNodes"]}
    defined = {key.to_user_string() for key in definitions().resolve_asset_graph().materializable_asset_keys}
    assert defined <= shown
    assert {"marts/articles", "marts/images", "marts/related_links", "raw/discovered_urls"} <= shown


def test_the_ui_shows_the_demo_run(ui_data: dict):
    runs = ui_data["runsOrError"]["results"]
    partitions = {
        tag["value"]
        for run in runs
        if run["status"] == "SUCCESS"
        for tag in run["tags"]
        if tag["key"] == "dagster/partition"
    }
    assert date.today().isoformat() in partitions, runs


def test_a_healthy_install_has_no_missing_partition(ui_data: dict):
    missing = {
        "/".join(node["assetKey"]["path"]): node["partitionStats"]["numPartitions"]
        - node["partitionStats"]["numMaterialized"]
        for node in ui_data["assetNodes"]
        if node["isPartitioned"] and node["partitionStats"]
    }
    assert missing["marts/articles"] == 0 and missing["raw/discovered_urls"] == 0, missing
    assert not {key: count for key, count in missing.items() if count}, missing


def test_the_ui_shows_each_mart_s_row_count_and_built_column_types(ui: str, ui_home: Path):
    nodes = graphql(ui, MART_MATERIALIZATIONS)["assetNodes"]
    assert len(nodes) == len(MARTS)
    with duckdb.connect(str(ui_home / "published.duckdb"), read_only=True) as conn:
        for node in nodes:
            relation = ".".join(node["assetKey"]["path"])
            entries = {entry["label"]: entry for entry in node["assetMaterializations"][0]["metadataEntries"]}
            assert "dagster/row_count" in entries and "dagster/column_schema" in entries, (relation, entries)
            built = conn.sql(f"select * from {relation}")
            assert (
                entries["dagster/row_count"]["intValue"]
                == conn.sql(f"select count(*) from {relation}").fetchone()[0]
            )
            shown = [
                (column["name"], column["type"])
                for column in entries["dagster/column_schema"]["schema"]["columns"]
            ]
            assert shown == list(zip(built.columns, map(str, built.types), strict=True)), relation


def test_lineage_runs_from_discovery_to_the_related_links_mart(ui_data: dict):
    parents = {
        "/".join(node["assetKey"]["path"]): {"/".join(dep["path"]) for dep in node["dependencyKeys"]}
        for node in ui_data["assetNodes"]
    }
    path, node = ["marts/related_links"], "marts/related_links"
    while node != "raw/discovered_urls":
        upstream = parents[node]
        assert upstream, f"{node} has no upstream asset; lineage so far: {path}"
        # follow the Python side of the graph when there is one, else any parent
        node = next((p for p in sorted(upstream) if p.startswith(("raw/", "work/"))), sorted(upstream)[0])
        assert node not in path, f"cycle at {node}"
        path.append(node)
    assert "raw/articles" in path or "raw/related_links" in path


def test_schedule_and_sensor_are_visible(ui_data: dict):
    repository = ui_data["repositoriesOrError"]["nodes"][0]
    assert "daily_pipeline_schedule" in {s["name"] for s in repository["schedules"]}
    assert "new_articles_sensor" in {s["name"] for s in repository["sensors"]}


def test_chromium_shows_the_asset_graph_on_the_lineage_page(ui: str):
    # every stage from discovery to the mart is a node of the drawn graph
    stages = ["discovered_urls", "pages", "extracted", "normalized", "validated"]
    text = rendered_text(lineage_url(ui), stages)
    absent = [stage for stage in stages if stage not in text]
    assert not absent, f"the lineage page does not show {absent}; it reads: {text[:500]!r}"
