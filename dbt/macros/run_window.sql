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
    the rest, which the run did not change. -#}
{% macro of_run_articles(column='article_id') -%}
    {%- if has_run_window() -%}
        {{ column }} in (select article_id from {{ ref('int_articles_touched') }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
