"""``dbt_utils`` macros that ask the warehouse about relations and values, answered from the
project: the relations it declares and builds, the columns known for them, the rows of seeds.

* ``get_relations_by_pattern`` / ``get_relations_by_prefix``: the project's sources, seeds,
  models and snapshots whose schema and identifier match the ``LIKE`` patterns (as dbt_utils'
  ``ilike`` over information_schema), less ``exclude``; each match becomes a parent of the
  model (ordered before it, in its lineage), as a database would have them built first;
* ``pivot``: conditional aggregation over literal values (the SQL dbt_utils writes);
* ``unpivot``: one ``select ... union all`` per column, from the relation's known columns
  (reported when they are not known);
* ``get_column_values``, ``get_single_value``, ``get_query_results_as_dict``: their query
  answered by :mod:`shiftleft.migration.query_answers` (seeds, information_schema) or
  reported (``SL5020``); ``get_filtered_columns_in_relation`` from the known columns.

Same argument names and defaults as dbt_utils 1.x.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from shiftleft.migration import query_answers
from shiftleft.migration.codes import QUERY_ID
from shiftleft.migration.package_macros import _quote, _type, relation_columns
from shiftleft.migration.render_values import Relation, RenderError

if TYPE_CHECKING:
    from shiftleft.migration.project import Node
    from shiftleft.migration.render_context import ModelContext


def like(pattern: Any) -> re.Pattern[str]:
    """A case-insensitive regular expression for a SQL ``LIKE`` pattern (``%``, ``_``,
    backslash escapes)."""
    text, out, k = str(pattern), [], 0
    while k < len(text):
        char = text[k]
        if char == "\\" and k + 1 < len(text):
            out.append(re.escape(text[k + 1]))
            k += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        k += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _candidates(state: ModelContext) -> list[Node]:
    return [
        n
        for n in state.r.project.nodes.values()
        if n.resource_type in ("source", "seed", "model", "snapshot")
        and n.materialized != "ephemeral"
        and n.unique_id != state.node.unique_id
    ]


def _depend_on(state: ModelContext, node: Node) -> Relation:
    """The relation of ``node``, recorded as a parent of the model being rendered."""
    (state.sources if node.resource_type == "source" else state.refs).append(node.unique_id)
    return state.relation_of(node)


def relations_matching(
    state: ModelContext, schema_pattern: Any, table_pattern: Any, exclude: Any, database: Any
) -> list[Relation]:
    schema_re, table_re = like(schema_pattern), like(table_pattern)
    exclude_re = like(exclude) if exclude else None
    found = []
    for node in _candidates(state):
        relation = state.relation_of(node)
        if database and relation.database and str(database).lower() != relation.database.lower():
            continue
        if not schema_re.fullmatch(relation.schema) or not table_re.fullmatch(relation.identifier):
            continue
        if exclude_re is not None and exclude_re.fullmatch(relation.identifier):
            continue
        found.append(node)
    found.sort(key=lambda n: (state.relation_of(n).schema.lower(), n.table_name.lower()))
    if not found and not state.capture:
        state.note(
            "warning",
            f"no relation of the project matches schema {schema_pattern!r}, table "
            f"{table_pattern!r}: the list is empty (a warehouse may hold tables the project "
            "does not declare; declare them as sources)",
            QUERY_ID,
        )
    return [_depend_on(state, n) for n in found]


def create_relation(state: ModelContext, **kwargs: Any) -> Relation:
    """``api.Relation.create(database=, schema=, identifier=)``: the project's relation of that
    name (then a parent of the model), else a relation of that name."""
    identifier = str(kwargs.get("identifier") or "")
    schema = str(kwargs.get("schema") or "").lower()
    matches = [
        n
        for n in _candidates(state)
        if n.table_name.lower() == identifier.lower()
        and (not schema or state.relation_of(n).schema.lower() == schema)
    ]
    if len(matches) == 1:
        return _depend_on(state, matches[0])
    return Relation(identifier, state.r.read, schema=str(kwargs.get("schema") or ""))


def _slugify(text: str) -> str:
    text = re.sub(r"[ -]+", "_", text.lower())
    text = re.sub(r"[^a-z0-9_]+", "", text)
    return re.sub(r"^[0-9]", lambda m: "_" + m.group(0), text)


#: a macro argument without a default
_REQUIRED = object()
_PIVOT = (
    ("column", _REQUIRED),
    ("values", _REQUIRED),
    ("alias", True),
    ("agg", "sum"),
    ("cmp", "="),
    ("prefix", ""),
    ("suffix", ""),
    ("then_value", 1),
    ("else_value", 0),
    ("quote_identifiers", True),
    ("distinct", False),
)
_UNPIVOT = (
    ("relation", None),
    ("cast_to", "varchar"),
    ("exclude", None),
    ("remove", None),
    ("field_name", "field_name"),
    ("value_name", "value"),
    ("quote_identifiers", False),
    ("table", None),
)


def bind_arguments(
    macro: str, params: tuple[tuple[str, Any], ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """A macro call's arguments by name (positional, then keywords, as Jinja passes them),
    with the macro's defaults; a RenderError for an unknown, repeated or missing argument."""
    names = [name for name, _ in params]
    if len(args) > len(names):
        raise RenderError(f"{macro} takes at most {len(names)} arguments, got {len(args)}", name=macro)
    given = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in names:
            raise RenderError(f"{macro} has no argument {key!r}", name=macro)
        if key in given:
            raise RenderError(f"{macro} got the argument {key!r} twice", name=macro)
        given[key] = value
    missing = [name for name, default in params if default is _REQUIRED and name not in given]
    if missing:
        raise RenderError(f"{macro} needs the argument {missing[0]!r}", name=macro)
    return {name: given.get(name, default) for name, default in params}


def pivot(state: ModelContext, *args: Any, **kwargs: Any) -> str:
    """``dbt_utils.pivot(column, values, alias=True, agg='sum', cmp='=', prefix='', suffix='',
    then_value=1, else_value=0, quote_identifiers=True, distinct=False)``."""
    a = bind_arguments("dbt_utils.pivot", _PIVOT, args, kwargs)
    column, values, agg, cmp = a["column"], a["values"], a["agg"], a["cmp"]
    prefix, suffix, then_value, else_value = a["prefix"], a["suffix"], a["then_value"], a["else_value"]
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise RenderError(
            f"dbt_utils.pivot needs a list of values, got {values!r}", name="dbt_utils.pivot"
        )
    items = []
    for value in values:
        literal = exp.Literal.string(str(value)).sql(state.r.read)
        text = (
            f"{agg}({'distinct ' if a['distinct'] else ''}case when {column} {cmp} {literal} "
            f"then {then_value} else {else_value} end)"
        )
        if a["alias"]:
            name = f"{prefix}{value}{suffix}"
            text += f" as {_quote(state, name) if a['quote_identifiers'] else _slugify(name)}"
        items.append(text)
    return ",\n  ".join(items)


def unpivot(state: ModelContext, *args: Any, **kwargs: Any) -> str:
    """``dbt_utils.unpivot(relation, cast_to='varchar', exclude=none, remove=none,
    field_name='field_name', value_name='value', quote_identifiers=False)`` (``table``: the
    name of ``relation`` before dbt_utils 0.8)."""
    a = bind_arguments("dbt_utils.unpivot", _UNPIVOT, args, kwargs)
    relation, table, cast_to, exclude, remove = a["relation"], a["table"], a["cast_to"], a["exclude"], a["remove"]
    field_name, value_name, quote_identifiers = a["field_name"], a["value_name"], a["quote_identifiers"]
    relation = relation if relation is not None else table  # dbt_utils < 0.8 said table
    if relation is None:
        raise RenderError("dbt_utils.unpivot needs a relation", name="dbt_utils.unpivot")
    columns = relation_columns(state, relation, "dbt_utils.unpivot")
    if columns is None:
        return f"select * from {relation}"
    exclude_ = [str(c) for c in exclude or []]
    skip = {c.lower() for c in [*exclude_, *(str(c) for c in remove or [])]}

    def name(text: str) -> str:
        return _quote(state, text) if quote_identifiers else text

    selects = []
    for column, data_type in columns:
        if column.lower() in skip:
            continue
        value = name(column)
        if str(data_type).lower() == "boolean":
            value = f"cast({value} as {_type(state, 'TEXT')})"
        items = [name(c) for c in exclude_] + [
            f"cast({exp.Literal.string(column).sql(state.r.read)} as {_type(state, 'TEXT')}) "
            f"as {name(str(field_name))}",
            f"cast({value} as {cast_to}) as {name(str(value_name))}",
        ]
        selects.append(f"select\n  {', '.join(items)}\nfrom {relation}")
    if not selects:
        raise RenderError(
            f"dbt_utils.unpivot: no column of {relation} is left to unpivot",
            name="dbt_utils.unpivot",
        )
    return "\n\nunion all\n\n".join(selects)


def get_column_values(
    state: ModelContext,
    table: Any,
    column: Any,
    order_by: Any = "count(*) desc",
    max_records: Any = None,
    default: Any = None,
    where: Any = None,
) -> list[Any]:
    sql = f"select {column} as value from {table}"
    sql += f" where {where}" if where else ""
    sql += f" group by {column} order by {order_by}"
    sql += f" limit {int(max_records)}" if max_records else ""
    node = getattr(table, "identifier", None) and _relation_by_name(state, table.identifier)
    if node is not None:
        _depend_on(state, node)
    result = query_answers.answer(state, sql, what="dbt_utils.get_column_values")
    return list(result.columns[0].values())


def _relation_by_name(state: ModelContext, name: str) -> Node | None:
    return next((n for n in _candidates(state) if n.table_name == name), None)


def get_single_value(state: ModelContext, sql: Any, default: Any = None) -> Any:
    result = query_answers.answer(state, str(sql), what="dbt_utils.get_single_value")
    if len(result.rows) > 1 or len(result.column_names) > 1:
        raise RenderError(
            "dbt_utils.get_single_value: the query returns more than one value",
            name="dbt_utils.get_single_value",
        )
    return result.data[0][0] if result.data else default


def get_query_results_as_dict(state: ModelContext, sql: Any) -> dict[str, list[Any]]:
    result = query_answers.answer(state, str(sql), what="dbt_utils.get_query_results_as_dict")
    return {c.name: c.values() for c in result.columns}


def get_filtered_columns_in_relation(
    state: ModelContext, from_: Any, except_: Any = ()
) -> list[str]:
    columns = relation_columns(state, from_, "dbt_utils.get_filtered_columns_in_relation")
    skip = {str(c).lower() for c in except_ or []}
    return [n for n, _ in columns or [] if n.lower() not in skip]


def package_macro(state: ModelContext, package: str, name: str) -> Callable[..., Any] | None:
    """The macros of this module, as ``dbt_utils.<name>``; None for other names."""
    if package != "dbt_utils":
        return None
    if name == "get_relations_by_pattern":

        def by_pattern(
            schema_pattern: Any, table_pattern: Any, exclude: Any = "", database: Any = None
        ) -> list[Relation]:
            return relations_matching(state, schema_pattern, table_pattern, exclude, database)

        return by_pattern
    if name == "get_relations_by_prefix":

        def by_prefix(
            schema: Any, prefix: Any, exclude: Any = "", database: Any = None
        ) -> list[Relation]:
            return relations_matching(state, schema, f"{prefix}%", exclude, database)

        return by_prefix
    if name == "get_filtered_columns_in_relation":

        def filtered(*args: Any, **kw: Any) -> list[str]:
            given = {**dict(zip(("from", "except"), args)), **kw}
            return get_filtered_columns_in_relation(state, given.get("from"), given.get("except"))

        return filtered
    macros: dict[str, Callable[..., Any]] = {
        "pivot": pivot,
        "unpivot": unpivot,
        "get_column_values": get_column_values,
        "get_single_value": get_single_value,
        "get_query_results_as_dict": get_query_results_as_dict,
    }
    found = macros.get(name)
    if found is None:
        return None
    return lambda *args, **kwargs: found(state, *args, **kwargs)
