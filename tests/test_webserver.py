"""The Dagster UI's GraphQL API shows the lineage from discovery to the marts, the schedule and the sensor."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from etl.ui import running_webserver

QUERY = """
{
  assetNodes { assetKey { path } dependencyKeys { path } }
  repositoriesOrError {
    ... on RepositoryConnection { nodes { schedules { name } sensors { name } } }
  }
}
"""


def _graphql(base_url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base_url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["data"]


@pytest.fixture(scope="module")
def ui_data(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("ui")
    sites_file = home / "sites.yaml"
    sites_file.write_text(
        "sites:\n  - name: example\n    feeds: [https://example.org/feed]\n", encoding="utf-8"
    )
    with running_webserver(Path(home), sites_file) as base_url:
        return _graphql(base_url, QUERY)


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
