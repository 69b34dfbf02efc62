{#- A run's slice of the warehouse. Dagster passes each daily partition's window as `--vars`
    ({"min_date": ..., "max_date": ...}, ISO timestamps, as dagster-dbt's partitioned examples do), so a day's
    build (or one day of a backfill) reads the raw rows of that day only. Without them (a hand-run `dbt build`,
    the weekly full check) the slice is every day: the incremental models recompute everything, and the tests
    cover whole tables. -#}

{% macro has_run_window() -%}
    {{- return(var('min_date', none) is not none and var('max_date', none) is not none) -}}
{%- endmacro %}

{#- `column` (a date) falls in the run's window; true for every row without one. -#}
{% macro in_run_window(column) -%}
    {%- if has_run_window() -%}
        ({{ column }} >= cast('{{ var("min_date")[:10] }}' as date)
            and {{ column }} < cast('{{ var("max_date")[:10] }}' as date))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- `column` (an article_id) names an article the run loaded a row of; true for every row without a window.
    For the `where` of data tests: a test of the run's articles proves for them what the full test proved for
    the rest, which the run did not change. Named without ref(): dbt refuses a ref that a test's where adds at
    run time, and the tests run after the build, which made the table (the intermediate schema,
    generate_schema_name.sql). -#}
{% macro of_run_articles(column='article_id') -%}
    {%- if has_run_window() -%}
        {%- set touched = api.Relation.create(
            database=target.database, schema='intermediate', identifier='int_articles_touched'
        ) -%}
        {{ column }} in (select article_id from {{ touched }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- dbt's `where` of a data test, with one placeholder: `__run_articles__` (set for the marts' tests in
    dbt_project.yml) keeps the rows of the run's articles, on a relation that has an article_id; a relation
    without one (site_daily, a few thousand rows) is tested whole. Overrides dbt's macro of the same name. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__run_articles__' in where -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- set where = where | replace('__run_articles__', of_run_articles() if 'article_id' in columns else 'true') -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
