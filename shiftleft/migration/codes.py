"""The diagnostic codes of a dbt migration (documented in docs/migrate.md)."""

from __future__ import annotations

RENDER_ID = "SL5001"  #: a model could not be rendered
READ_ID = "SL5002"  #: rendered SQL that cannot be read
KEY_ID = "SL5003"  #: declared key vs the key the query updates by
EVENT_TIME_ID = "SL5004"  #: event time chosen for a table
SNAPSHOT_ID = "SL5005"  #: snapshot as a versioned table
TYPE_ID = "SL5006"  #: a column type that is not known
SEED_ID = "SL5007"  #: seed loading
MATERIALIZATION_ID = "SL5008"  #: a materialization without a streaming equivalent
PROJECT_ID = "SL5009"  #: project-level findings (name clashes, cycles, stale files)
PLAN_ID = "SL5010"  #: the Flink planner rejects a table's DDL or DML (migrate(plan=True))
BLOCKED_ID = "SL5011"  #: a table blocked by a parent that is reported
COLUMNS_ID = "SL5012"  #: columns that cannot be known (no column list is invented)
QUERY_ID = "SL5020"  #: run_query / statement: answered from seeds / the catalog, or reported
PACKAGE_ID = "SL5021"  #: a package the project declares is not installed in dbt_packages/
HOOK_ID = "SL5022"  #: pre/post hooks, on-run-start/end: not run by a Flink pipeline
INCREMENTAL_ID = "SL5023"  #: incremental logic a stream replaces (is_incremental(), strategies)
RELATION_ID = "SL5024"  #: a relation name the project's generate_*_name macro could not give
UNPLANNED_ID = "SL5025"  #: the pipeline could not be checked by the Flink planner
RUN_VALUE_ID = "SL5026"  #: dbt's run_started_at / invocation_id rendered as constants
CLASH_ID = "SL5027"  #: operands whose types Flink cannot bring together (typed without the planner)

ORDER_RULE_ID = "SL4005"  #: the final ORDER BY rule of the streaming pack

#: what to do about a model that cannot be rendered, by code
RENDER_HINTS = {
    QUERY_ID: "render the values into the model, keep them in a seed, or declare the columns "
    "the query lists; the rest of the project is migrated",
    PACKAGE_ID: "run `dbt deps` (or copy the package into dbt_packages/) and migrate again",
    PROJECT_ID: "rename one of the models of that name",
    COLUMNS_ID: "declare the relation's columns (with data_type) in a properties .yml file",
}
