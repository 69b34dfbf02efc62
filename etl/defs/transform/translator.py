"""How dbt's models and tests read in the Dagster UI: a sentence each, never the model's SQL."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject


class AkhbarDbtTranslator(DagsterDbtTranslator):
    """dagster-dbt's defaults, with short descriptions: a model's own, and one for every dbt test."""

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # the default appends the model's whole SQL, which buries the sentence in the UI's asset list
        return dbt_resource_props.get("description") or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        )

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=describe_test(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
        )


def describe_test(test: Mapping[str, Any]) -> str:
    """What a dbt test asserts, in a sentence: its own description, else one made from its generic test."""
    if test.get("description"):
        return test["description"]
    generic = test.get("test_metadata") or {}
    kwargs = generic.get("kwargs", {})
    column = f"`{kwargs.get('column_name')}`"
    match generic.get("name"):
        case "not_null":
            return f"{column} is never null."
        case "unique":
            return f"{column} is unique."
        case "accepted_values":
            return f"{column} is one of: {', '.join(map(str, kwargs.get('values', [])))}."
        case "relationships":
            target = str(kwargs.get("to", "")).removeprefix("ref('").removesuffix("')")
            return f"Every {column} is a `{kwargs.get('field')}` of {target}."
        case "unique_combination":
            return f"No two rows share ({', '.join(kwargs.get('columns', []))})."
        case _:
            return f"dbt test `{test['name']}`."
