{#- The marts' watermark. `intermediate.mart_builds` gets one row per build that built every model of the
    project: its window and `loaded_through`, the newest load of a raw row it read, so that every raw article row
    loaded at or before it is in the marts. The next build's slice (run_slice) adds every row loaded after it.
    A run killed between its load and its build, or during its build, or a build that failed or built a
    subset, records nothing: the next build of any day catches up what that run loaded. Written by the
    on-run-end hook (dbt_project.yml), which runs once the build is over and not at all when it is killed. -#}

{% macro mart_builds_relation() -%}
    {{- return(api.Relation.create(database=target.database, schema='intermediate', identifier='mart_builds')) -}}
{%- endmacro %}

{#- The watermark as text, or none when no complete build is recorded (a new warehouse, or one whose marts a
    build before the watermark made): then the slice is every row. Read when the model runs, not when dbt
    parses, and put in the SQL as a constant, which the raw table's scan can prune row groups with. -#}
{% macro marts_loaded_through() -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set builds = mart_builds_relation() -%}
    {%- if adapter.get_relation(database=builds.database, schema=builds.schema, identifier=builds.identifier) is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set latest = run_query('select cast(max(loaded_through) as varchar) from ' ~ builds) -%}
    {{- return(latest.columns[0].values()[0]) -}}
{%- endmacro %}

{#- The on-run-end hook: records the build when each of the project's models built in it. `results` holds this
    invocation's nodes; a model it skipped (a failed parent), failed or left out (`--select`, `dbt test`) keeps
    the watermark where it was. -#}
{% macro record_mart_build(results) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set built = [] -%}
    {%- for result in results if result.node.resource_type == 'model' and result.status == 'success' -%}
        {%- do built.append(result.node.unique_id) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.unique_id not in built -%}
        {{- return('') -}}
    {%- endfor -%}
    {%- set builds = mart_builds_relation() -%}
    {%- set touched = api.Relation.create(
        database=target.database, schema='intermediate', identifier='int_articles_touched'
    ) -%}
    create table if not exists {{ builds }} (
        invocation_id varchar,
        min_date varchar,
        max_date varchar,
        loaded_through timestamptz,
        built_at timestamptz
    );
    insert into {{ builds }}
    select
        '{{ invocation_id }}',
        {{ "'" ~ var('min_date') ~ "'" if has_run_window() else 'null' }},
        {{ "'" ~ var('max_date') ~ "'" if has_run_window() else 'null' }},
        -- what this build read (the slice), or the watermark it started from when the slice held nothing newer
        (
            select max(loaded_at) from (
                select max(loaded_at) as loaded_at from {{ touched }}
                union all
                select max(loaded_through) from {{ builds }}
            )
        ),
        now()
{%- endmacro %}
