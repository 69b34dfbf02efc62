{#- A post-hook of every model: when Dagster runs dbt, log the columns of the relation just built, with the
    types DuckDB gives them and their documented meanings, and, for tables, the row count. It runs inside dbt, on
    dbt's own connection, while the build goes on: a second connection (dagster-dbt's fetch_row_counts) would
    have to wait for dbt to release the DuckDB file. dagster-dbt turns the JSON line into the materialization's
    `dagster/column_schema`; etl/defs/transform/metadata.py reads the row count line. Views are not counted:
    counting one runs its whole query. Plain dbt runs (no DAGSTER_DBT_CLI) log nothing. -#}
{% macro log_built_relation() %}
    {%- if execute and env_var('DAGSTER_DBT_CLI', '') == 'true' -%}
        {%- set columns = {} -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- do columns.update({column.name: {
                'data_type': column.dtype,
                'description': model.columns.get(column.name, {}).get('description') or none,
            }}) -%}
        {%- endfor -%}
        {%- do log(tojson({'columns': columns}), info=true) -%}
        {%- if model.config.materialized != 'view' -%}
            {%- set counted = run_query('select count(*) from ' ~ this) -%}
            {%- do log('row count: ' ~ counted.columns[0].values()[0], info=true) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
