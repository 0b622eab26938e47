{#- Converts an integer amount in cents to a decimal amount in dollars. -#}
{% macro cents_to_dollars(column_name, precision=2) -%}
    cast({{ column_name }} / 100.0 as decimal(18, {{ precision }}))
{%- endmacro %}
