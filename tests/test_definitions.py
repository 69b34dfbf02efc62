"""The Dagster definitions load, and the asset graph runs from discovery through the dbt marts to publishing."""

import os
import shutil
from pathlib import Path

import dagster as dg

from etl.defs.partitions import daily_partitions
from etl.runner import definitions

REPO = Path(__file__).resolve().parents[1]


def _graph():
    return definitions().resolve_asset_graph()


def _upstream(key: dg.AssetKey, graph) -> set[dg.AssetKey]:
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_every_mart_is_downstream_of_discovery_and_the_load():
    graph = _graph()
    for mart in ("articles", "images", "related_links"):
        upstream = _upstream(dg.AssetKey(["marts", mart]), graph)
        assert dg.AssetKey(["raw", "discovered_urls"]) in upstream
        assert dg.AssetKey(["raw", mart]) in upstream
        assert dg.AssetKey(["work", "validated"]) in upstream


def test_published_copy_comes_after_the_marts():
    upstream = _upstream(dg.AssetKey(["published"]), _graph())
    assert {dg.AssetKey(["marts", m]) for m in ("articles", "images", "related_links")} <= upstream


def test_every_asset_is_partitioned_by_day_and_described():
    graph = _graph()
    for key in graph.materializable_asset_keys:
        node = graph.get(key)
        assert node.partitions_def == daily_partitions, key
        assert node.description and node.description.strip() != key.path[-1], key


def test_schedule_sensor_and_checks_are_defined():
    defs = definitions()
    assert defs.resolve_schedule_def("daily_pipeline_schedule")
    assert defs.resolve_sensor_def("new_articles_sensor")
    check_names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {"raw_articles_gx", "raw_images_gx", "raw_related_links_gx", "extraction_health"} <= check_names


def test_steps_that_talk_to_sites_retry_and_data_steps_do_not():
    policies = {
        a.op.name: a.op.retry_policy for a in definitions().assets if isinstance(a, dg.AssetsDefinition)
    }
    assert policies["raw__discovered_urls"].max_retries == 2
    assert policies["fetch_and_extract"].max_retries == 2
    assert policies["news_dbt_models"] is None


def _dbt_asset_keys(graph) -> set[dg.AssetKey]:
    return {
        key
        for key in graph.materializable_asset_keys
        if graph.get(key).group_name in {"staging", "intermediate", "marts"}
    }


def test_dbt_assets_are_described_in_a_sentence_not_their_sql():
    graph = _graph()
    dbt_keys = _dbt_asset_keys(graph)
    assert dg.AssetKey(["marts", "articles"]) in dbt_keys
    for key in dbt_keys:
        description = graph.get(key).description
        assert description, key
        assert "Raw SQL" not in description and "select" not in description.lower(), key
        assert len(description) < 600, key


def test_every_document_a_description_cites_exists():
    defs = definitions()
    graph = defs.resolve_asset_graph()
    texts = [graph.get(key).description or "" for key in graph.materializable_asset_keys]
    texts += [graph.get_check_spec(key).description or "" for key in graph.asset_check_keys]
    cited = {
        word.strip("().,;`'\"")
        for text in texts
        for word in text.split()
        if word.startswith(("docs/", "(docs/"))
    }
    assert "docs/contract.md" in cited
    for path in cited:
        assert (REPO / path).is_file(), f"a description cites {path}, which does not exist"


def test_schedule_sensor_and_every_check_are_described():
    defs = definitions()
    assert defs.resolve_schedule_def("daily_pipeline_schedule").description
    assert defs.resolve_sensor_def("new_articles_sensor").description
    graph = defs.resolve_asset_graph()
    undescribed = sorted(
        key.to_user_string() for key in graph.asset_check_keys if not graph.get_check_spec(key).description
    )
    assert not undescribed, f"checks without a description: {undescribed}"
    not_null = graph.get_check_spec(
        dg.AssetCheckKey(dg.AssetKey(["marts", "articles"]), "not_null_articles_article_id")
    )
    assert "article_id" in not_null.description


def test_node_names_are_unambiguous_within_each_group():
    # the UI's graph labels a node with the last part of its key only
    graph = _graph()
    names_by_group: dict[str, list[str]] = {}
    for key in graph.materializable_asset_keys:
        names_by_group.setdefault(graph.get(key).group_name, []).append(key.path[-1])
    for group, names in names_by_group.items():
        repeated = sorted({name for name in names if names.count(name) > 1})
        assert not repeated, f"group {group} shows several nodes named {repeated}"


def test_mart_definitions_carry_every_column_with_its_type():
    graph = _graph()
    for mart in ("articles", "images", "related_links"):
        schema = graph.get(dg.AssetKey(["marts", mart])).metadata["dagster/column_schema"]
        untyped = [column.name for column in schema.columns if column.type in ("", "?")]
        assert schema.columns and not untyped, f"marts.{mart}: columns without a type: {untyped}"


def test_the_manifest_is_parsed_again_only_when_a_project_file_is_newer(tmp_path):
    from dagster_dbt import DbtProject

    from etl.defs.transform.project import DBT_PROJECT_DIR, manifest_is_stale

    project_dir = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    project = DbtProject(project_dir=project_dir)
    assert manifest_is_stale(project)  # none yet
    project.manifest_path.parent.mkdir()
    project.manifest_path.write_text("{}")
    assert not manifest_is_stale(project)
    model = project_dir / "models" / "marts" / "articles.sql"
    later = project.manifest_path.stat().st_mtime + 5
    os.utime(model, (later, later))
    assert manifest_is_stale(project)
