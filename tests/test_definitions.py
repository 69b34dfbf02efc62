"""The Dagster definitions load, and the asset graph runs from discovery through the dbt marts to publishing."""

import dagster as dg

from etl.runner import definitions


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
        assert node.partitions_def is not None, key
        assert node.description, key


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
