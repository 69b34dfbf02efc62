{#- Incremental strategy `replace_articles`, for models with several rows per article (images, links): every
    row of the run's articles (int_articles_touched) is deleted and the model's rows inserted, so an image or a
    card that a new revision dropped goes too, which delete+insert on the row's own key would keep. A
    `unique_key` also replaces the stored rows the model emits again for other articles (a link whose target
    arrived). Both in the one transaction dbt wraps around the model. -#}
{% macro get_incremental_replace_articles_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where article_id in (select article_id from {{ ref('int_articles_touched') }})
    {%- if unique_key %}
        or {{ unique_key }} in (select {{ unique_key }} from {{ source }})
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
