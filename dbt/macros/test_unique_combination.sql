{#- Generic test: no two rows share the values of `columns` (dbt_utils' unique_combination_of_columns, written
    here so the project needs no package from the network). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_sharing_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
