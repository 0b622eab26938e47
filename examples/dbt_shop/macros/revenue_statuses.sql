{#- The order statuses that count as revenue, as a SQL list literal.
    Dispatched, so that an adapter (or a package) can override it. -#}
{% macro revenue_statuses() -%}
    {{ return(adapter.dispatch('revenue_statuses', 'shop')()) }}
{%- endmacro %}

{% macro default__revenue_statuses() -%}
    ('placed', 'shipped', 'completed')
{%- endmacro %}
