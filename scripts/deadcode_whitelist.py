"""Names vulture cannot see being used (read by scripts/deadcode.py, never imported).

Each line names something a framework, a template or a serializer reads by name; the comment
says which.  Add a name here only with such a reason; dead code is deleted, not listed.
"""

# ruff: noqa: B018, F821 - bare names are the whitelist's syntax

# argparse reads the attribute it is given (shiftleft/cli/app.py)
formatter_class
# sqlglot finds the Confluent dialect through the `sqlglot.dialects` entry point (pyproject.toml)
Confluent
# the __exit__ protocol passes the traceback (shiftleft/files.py)
tb
# py4j's JavaGateway calls it to make each client (shiftleft/flink_engine/jvm.py: one Java thread a lane)
_create_gateway_client

# pydantic report fields: written into the JSON/HTML reports, read by their consumers
elapsed_ms
elapsed_s
log_tail  # verify --streaming's JSON report: the end of dbt's output
run_seconds  # verify --streaming's JSON report

# dbt's Jinja API, called by the templates of the projects we render
# (shiftleft/migration/render_state.py, render_values.py, package_macros.py, query_answers.py)
fetch_result  # statement(name, fetch_result=..., auto_begin=..., language=...)
auto_begin
language
get_columns_in_relation  # adapter.get_columns_in_relation(relation)
get_relation  # adapter.get_relation(database, schema, identifier)
is_table  # relation.is_table / is_view / is_cte
is_view
is_cte
dtype  # column.dtype
require  # config.require(name)
dependencies  # builtins.ref.config.dependencies[name] (dbt's RuntimeConfig, read by templates)
print_table  # agate Table.print_table()

# lark Transformer callbacks, named after the rules of grammars/rules.lark (shiftleft/rewrite/dsl.py)
match_type
replace_type
predicate
negate
all_of
any_of

# shiftleft/verification.py: the SLV004 code is never emitted; left for the module's split
# (issue 18) to delete with the code table
SOURCE_ERROR
