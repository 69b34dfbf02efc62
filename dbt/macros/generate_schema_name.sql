{#- Models land in the schema their folder names (staging, intermediate, marts), not `<target>_<folder>`,
    so analysts query `marts.articles` whatever the target is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
