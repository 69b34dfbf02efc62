{#- A run's slice of the warehouse. Dagster passes each daily partition's window as `--vars`
    ({"min_date": ..., "max_date": ...}, ISO timestamps, as dagster-dbt's partitioned examples do), so a day's
    build (or one day of a backfill) reads the raw rows of that day, and whatever was loaded since the marts'
    last complete build (macros/mart_builds.sql): a run killed after its load or during its build is caught up
    by the next build, whatever day that builds. Without the vars (a hand-run `dbt build`, the weekly full
    check) the slice is every day: the incremental models recompute everything, and the tests cover whole
    tables. -#}

{% macro has_run_window() -%}
    {{- return(var('min_date', none) is not none and var('max_date', none) is not none) -}}
{%- endmacro %}

{#- The rows of `relation` (a raw table's staging view: partition_date, loaded_at) in the run's slice: its
    window's days, and the rows loaded after the marts' watermark. Two scans joined by `union all`, not one
    scan with `or`: each predicate on its own compares a column with a constant, which DuckDB checks against
    each row group's min and max and skips the row groups of other days and earlier loads (an `or` of two
    columns is evaluated row by row over all history). -#}
{% macro run_slice(relation) -%}
    {%- if has_run_window() -%}
        {%- set in_window -%}
            (partition_date >= cast('{{ var("min_date")[:10] }}' as date)
                and partition_date < cast('{{ var("max_date")[:10] }}' as date))
        {%- endset -%}
        {%- set loaded_through = marts_loaded_through() -%}
        select * from {{ relation }}
        where {{ in_window }}
        union all
        select * from {{ relation }}
        where {{ in_window }} is not true
        {%- if loaded_through is not none %}
            and loaded_at > cast('{{ loaded_through }}' as timestamptz)
        {%- endif %}
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- `column` (an article_id) names an article of the run's slice; true for every row without a window.
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
