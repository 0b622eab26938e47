"""dbt's cross-database macros and well-known ``dbt_utils`` macros, as Python functions.

They render the same SQL as the real macros (so the result of a model is the same), but they
know the columns of the project's models from the migration itself instead of asking a
database: ``dbt_utils.star`` and ``union_relations`` work offline.  The SQL is written in the
dialect of the project's adapter; shiftleft's rules translate it to Flink afterwards.

* dbt cross-database macros: https://docs.getdbt.com/reference/dbt-jinja-functions/cross-database-macros
* dbt_utils: https://github.com/dbt-labs/dbt-utils#sql-generators
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlglot
import yaml
from sqlglot import exp

from shiftleft.migration.codes import COLUMNS_ID, QUERY_ID
from shiftleft.migration.render_values import ColumnInfo, Relation, RenderError

if TYPE_CHECKING:
    from shiftleft.migration.render_context import ModelContext

MISSING = object()
SURROGATE_NULL = "_dbt_utils_surrogate_key_null_"


def tojson(value: Any, *args: Any, **kwargs: Any) -> str:
    return json.dumps(value, sort_keys=bool(kwargs.get("sort_keys")))


def fromjson(text: str, default: Any = None) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default


def toyaml(value: Any, *args: Any, **kwargs: Any) -> str:
    return str(yaml.safe_dump(value, sort_keys=bool(kwargs.get("sort_keys"))))


def fromyaml(text: str, default: Any = None) -> Any:
    try:
        return yaml.safe_load(text)
    except (TypeError, yaml.YAMLError):
        return default


def local_md5(value: str) -> str:
    return hashlib.md5(str(value).encode("utf-8"), usedforsecurity=False).hexdigest()


def _type(state: ModelContext, name: str) -> str:
    return exp.DataType.build(name).sql(state.r.read)


def translate_type(state: ModelContext, dtype: Any) -> str:
    """``api.Column.translate_type``: a type name as the adapter spells it (here: the read
    dialect's spelling); a name sqlglot cannot read is returned as given, as dbt does."""
    try:
        return _type(state, str(dtype))
    except (sqlglot.errors.ParseError, ValueError):
        return str(dtype)


def _expr(state: ModelContext, text: Any) -> exp.Expr:
    return sqlglot.parse_one(str(text), read=state.r.read)


def _sql(state: ModelContext, node: exp.Expr) -> str:
    return node.sql(state.r.read)


#: units below a day, which sqlglot's DATE_ADD / DATEDIFF lose in Spark and Hive (days there)
_SUBDAY = {"HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"}
_SPARKS = {"spark", "spark2", "hive"}


def dateadd(state: ModelContext, datepart: Any, interval: Any, from_date_or_timestamp: Any) -> str:
    """dbt.dateadd: ``from + interval datepart`` in the read dialect; an arithmetic result is
    parenthesized, so that ``{{ dbt.dateadd(...) }}::date`` casts the sum."""
    unit = str(datepart).strip("'\"").upper()
    this, amount = _expr(state, from_date_or_timestamp), _expr(state, interval)
    node: exp.Expr
    if state.r.read in _SPARKS and unit in _SUBDAY:  # DATE_ADD there adds days
        node = exp.Add(this=this, expression=exp.Interval(this=amount, unit=exp.var(unit)))
    else:
        node = exp.DateAdd(this=this, expression=amount, unit=exp.var(unit))
    text = _sql(state, node)
    return f"({text})" if isinstance(_expr(state, text), exp.Binary) else text


def datediff(state: ModelContext, first_date: Any, second_date: Any, datepart: Any) -> str:
    """dbt.datediff: the number of ``datepart`` boundaries from the first to the second date."""
    unit = str(datepart).strip("'\"").upper()
    this, expression = _expr(state, second_date), _expr(state, first_date)
    if state.r.read == "spark" and unit in _SUBDAY:  # DATEDIFF there compares dates
        return _sql(state, exp.TimestampDiff(this=this, expression=expression, unit=exp.var(unit)))
    return _sql(state, exp.DateDiff(this=this, expression=expression, unit=exp.var(unit)))


def hash_(state: ModelContext, field: Any) -> str:
    """dbt.hash, in the text dbt's adapters compile: ``md5(cast(field as <string type>))``
    (hex text), wrapped in ``to_hex`` on BigQuery, whose MD5 gives BYTES (dbt-bigquery's
    ``bigquery__hash``)."""
    text = f"md5(cast({field} as {_type(state, 'TEXT')}))"
    return f"to_hex({text})" if state.r.read == "bigquery" else text


def date_trunc(state: ModelContext, datepart: Any, date: Any) -> str:
    """dbt.date_trunc: ``date_trunc('part', date)``, BigQuery's and SQL Server's own forms."""
    part = str(datepart).strip("'\"")
    if state.r.read == "bigquery":
        return f"timestamp_trunc(cast({date} as timestamp), {part})"
    if state.r.read == "tsql":
        return f"datetrunc({part}, {date})"
    return f"date_trunc('{part}', {date})"


def dbt_macro(state: ModelContext, name: str) -> Callable[..., Any] | None:
    """dbt's own macro ``name`` (``dbt.type_string``, ``dbt.dateadd``, ...), or None."""
    return dbt_macros(state).get(name.removeprefix("default__"))


def dbt_macros(state: ModelContext) -> dict[str, Callable[..., Any]]:
    """dbt's own (global project) macros by name: reachable as ``dbt.NAME`` and, as in dbt,
    unqualified (``{{ datediff(...) }}``) unless the project defines a macro of that name."""
    types = {
        "type_string": "TEXT",
        "type_int": "INT",
        "type_bigint": "BIGINT",
        "type_float": "DOUBLE",
        "type_timestamp": "TIMESTAMP",
        "type_boolean": "BOOLEAN",
    }
    macros: dict[str, Callable[..., Any]] = {
        **{name: (lambda t=t: _type(state, t)) for name, t in types.items()},
        "type_numeric": lambda: "numeric(28,6)",
        "concat": lambda fields: " || ".join(str(f) for f in fields),
        "hash": lambda field: hash_(state, field),
        "safe_cast": lambda field, type: _sql(
            state,
            exp.TryCast(
                this=_expr(state, field), to=exp.DataType.build(str(type), dialect=state.r.read)
            ),
        ),
        "cast": lambda field, type: f"cast({field} as {type})",
        "dateadd": lambda datepart, interval, from_date_or_timestamp: dateadd(
            state, datepart, interval, from_date_or_timestamp
        ),
        "datediff": lambda first_date, second_date, datepart: datediff(
            state, first_date, second_date, datepart
        ),
        "date_trunc": lambda datepart, date: date_trunc(state, datepart, date),
        "current_timestamp": lambda: "current_timestamp",
        "current_timestamp_in_utc_backcompat": lambda: "current_timestamp",
        "current_timestamp_backcompat": lambda: "current_timestamp",
        "snapshot_get_time": lambda: "current_timestamp",
        "any_value": lambda expression: f"any_value({expression})",
        "bool_or": lambda expression: _sql(state, exp.LogicalOr(this=_expr(state, expression))),
        "listagg": lambda measure, delimiter_text="','", order_by_clause=None, limit_num=None: listagg(
            state, measure, delimiter_text, order_by_clause, limit_num
        ),
        "array_construct": lambda inputs=(), data_type=None: _sql(
            state, exp.Array(expressions=[_expr(state, i) for i in inputs or ()])
        ),
        "array_append": lambda array, new_element: _sql(
            state, exp.ArrayAppend(this=_expr(state, array), expression=_expr(state, new_element))
        ),
        "array_concat": lambda array_1, array_2: _sql(
            state, exp.ArrayConcat(this=_expr(state, array_1), expressions=[_expr(state, array_2)])
        ),
        "split_part": lambda string_text, delimiter_text, part_number: (
            f"split_part({string_text}, {delimiter_text}, {part_number})"
        ),
        "replace": lambda field, old_chars, new_chars: (
            f"replace({field}, {old_chars}, {new_chars})"
        ),
        "length": lambda expression: f"length({expression})",
        "position": lambda substring_text, string_text: (
            f"position({substring_text} in {string_text})"
        ),
        "right": lambda string_text, length_expression: (
            f"right({string_text}, {length_expression})"
        ),
        "string_literal": lambda value: exp.Literal.string(str(value)).sql(state.r.read),
        "escape_single_quotes": lambda expression: str(expression).replace("'", "''"),
        "cast_bool_to_text": lambda field: f"cast({field} as {_type(state, 'TEXT')})",
        "last_day": lambda date, datepart: _sql(state, exp.LastDay(this=_expr(state, date))),
        "is_incremental": state.is_incremental,
    }
    return macros


def _relation_node(state: ModelContext, relation: Any) -> Any:
    name = getattr(relation, "identifier", None) or str(relation)
    for node in state.r.project.nodes.values():
        if node.table_name == name or f"__dbt__cte__{node.name}" == name:
            return node
    return None


def relation_columns(state: ModelContext, relation: Any, macro: str) -> list[tuple[str, str]] | None:
    """(name, type) of the columns of ``relation``, or None in the capture pass.

    Raises RenderError when the columns cannot be known."""
    if state.capture:
        return None
    node = _relation_node(state, relation)
    columns = state.columns_of(node) if node is not None else None
    if not columns:
        raise RenderError(
            f"{macro} needs the columns of {relation}, which are not known: declare them "
            "(columns with data_type) in a properties .yml file",
            name=macro,
            code=COLUMNS_ID,
        )
    return columns


def _quote(state: ModelContext, name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(state.r.read)


def star(
    state: ModelContext,
    from_: Any,
    relation_alias: Any = False,
    except_: Any = (),
    prefix: str = "",
    suffix: str = "",
    quote_identifiers: bool = True,
) -> str:
    columns = relation_columns(state, from_, "dbt_utils.star")
    if columns is None:
        return "*"
    skip = {str(c).lower() for c in except_ or []}
    parts = []
    for name, _ in columns:
        if name.lower() in skip:
            continue
        text = (f"{relation_alias}." if relation_alias else "") + (
            _quote(state, name) if quote_identifiers else name
        )
        if prefix or suffix:
            alias = f"{prefix}{name}{suffix}"
            text += f" as {_quote(state, alias) if quote_identifiers else alias}"
        parts.append(text)
    return ",\n  ".join(parts)


def surrogate_key(state: ModelContext, fields: list[Any], null_value: str) -> str:
    string = _type(state, "TEXT")
    parts: list[str] = []
    for k, field in enumerate(fields):
        if k:
            parts.append("'-'")
        parts.append(f"coalesce(cast({field} as {string}), '{null_value}')")
    # dbt_utils: dbt.hash(dbt.concat(fields)); dbt's concat joins with ||
    return hash_(state, " || ".join(parts))


def deduplicate(state: ModelContext, relation: Any, partition_by: str, order_by: str) -> str:
    return (
        f"select * from {relation} as _inner\n"
        f"qualify row_number() over (partition by {partition_by} order by {order_by}) = 1"
    )


def union_relations(
    state: ModelContext,
    relations: list[Any],
    column_override: Any = None,
    include: Any = (),
    exclude: Any = (),
    source_column_name: str | None = "_dbt_source_relation",
    where: str | None = None,
) -> str:
    if not relations:
        raise RenderError(
            "dbt_utils.union_relations got no relation (none of the project's relations matched)",
            name="dbt_utils.union_relations",
            code=QUERY_ID,
        )
    known = [(r, relation_columns(state, r, "dbt_utils.union_relations")) for r in relations]
    if any(cols is None for _, cols in known):
        return " union all ".join(f"select * from {r}" for r in relations)
    include_ = {c.lower() for c in include or []}
    exclude_ = {c.lower() for c in exclude or []}
    order: dict[str, tuple[str, str]] = {}
    for _, cols in known:
        for name, kind in cols or []:
            if (include_ and name.lower() not in include_) or name.lower() in exclude_:
                continue
            order.setdefault(name.lower(), (name, (column_override or {}).get(name, kind)))
    selects = []
    for relation, cols in known:
        present = {n.lower() for n, _ in cols or []}
        literal = exp.Literal.string(str(relation)).sql(state.r.read)
        items = (
            [f"cast({literal} as {_type(state, 'TEXT')}) as {source_column_name}"]
            if source_column_name
            else []
        )
        for lowered, (name, kind) in order.items():
            value = _quote(state, name) if lowered in present else "null"
            items.append(f"cast({value} as {kind}) as {_quote(state, name)}")
        text = f"select\n  {', '.join(items)}\nfrom {relation}"
        selects.append(text + (f"\nwhere {where}" if where else ""))
    return "\n\nunion all\n\n".join(f"(\n{s}\n)" for s in selects)


#: the most rows a date spine may have to be written out as VALUES
DATE_SPINE_LIMIT = 100_000
_SPINE_STEPS = {"day", "week", "month", "quarter", "year", "hour", "minute"}


def _literal_datetime(state: ModelContext, text: Any) -> datetime.datetime | None:
    """The value of a date / timestamp literal (``'2024-01-01'``, ``cast('...' as date)``)."""
    try:
        node = _expr(state, text)
    except Exception:  # noqa: BLE001 - not a literal then
        return None
    while isinstance(node, (exp.Cast, exp.TryCast, exp.Paren)):
        node = node.this
    if isinstance(node, (exp.TsOrDsToDate, exp.StrToDate, exp.Anonymous)) and node.expressions[:1]:
        node = node.expressions[0]
    if not isinstance(node, exp.Literal) or not node.is_string:
        return None
    try:
        return datetime.datetime.fromisoformat(node.this)
    except ValueError:
        return None


def _step(value: datetime.datetime, datepart: str, n: int) -> datetime.datetime:
    if datepart in ("day", "week", "hour", "minute"):
        unit = {"day": "days", "week": "weeks", "hour": "hours", "minute": "minutes"}[datepart]
        return value + datetime.timedelta(**{unit: n})
    months = n * {"month": 1, "quarter": 3, "year": 12}[datepart]
    month = value.month - 1 + months
    return value.replace(year=value.year + month // 12, month=month % 12 + 1, day=1)


def listagg(
    state: ModelContext, measure: Any, delimiter: Any, order_by_clause: Any, limit_num: Any
) -> str:
    """dbt.listagg: the values of ``measure`` joined by ``delimiter``.  Flink's LISTAGG keeps
    no order and takes no limit, so an ``order_by_clause`` or ``limit_num`` is reported rather
    than dropped (the string would hold other values, or the same ones in another order)."""
    if order_by_clause or limit_num:  # Jinja truth, as dbt's own macro: an Undefined is none
        raise RenderError(
            f"dbt.listagg({measure}, {delimiter}, order_by_clause={order_by_clause!r}, "
            f"limit_num={limit_num!r}): Flink's LISTAGG has no ORDER BY and no limit; shiftleft "
            "translates listagg only without them",
            name="dbt.listagg",
        )
    return _sql(state, exp.GroupConcat(this=_expr(state, measure), separator=_expr(state, delimiter)))


def date_spine(state: ModelContext, datepart: Any, start_date: Any, end_date: Any) -> str:
    """dbt_utils.date_spine with literal bounds: the rows ``date_<datepart>`` in
    [start, end), written out (a stream has no series generator; a bounded table does)."""
    part = str(datepart).strip("'\"").lower()
    start, end = _literal_datetime(state, start_date), _literal_datetime(state, end_date)
    if part not in _SPINE_STEPS or start is None or end is None:
        raise RenderError(
            f"dbt_utils.date_spine({datepart}, {start_date}, {end_date}): shiftleft writes a date "
            f"spine out only for literal bounds and a datepart in {sorted(_SPINE_STEPS)}",
            name="dbt_utils.date_spine",
        )
    values = []
    k, current = 0, start
    while current < end:
        values.append(current)
        k += 1
        if k > DATE_SPINE_LIMIT:
            raise RenderError(
                f"dbt_utils.date_spine: more than {DATE_SPINE_LIMIT} rows",
                name="dbt_utils.date_spine",
            )
        current = _step(start, part, k)
    kind = "date" if part in ("day", "week", "month", "quarter", "year") else "timestamp"
    rows = ", ".join(
        f"(cast('{v.date().isoformat() if kind == 'date' else v.isoformat(sep=' ')}' as {kind}))"
        for v in values
    )
    column = f"date_{part}"
    if not values:
        return f"select cast(null as {kind}) as {column} where 1 = 0"
    return f"select {column} from (values {rows}) as date_spine({column})"


def package_macro(state: ModelContext, package: str, name: str) -> Callable[..., Any] | None:
    """shiftleft's own version of ``package.name`` (a well-known package macro), or None."""
    if package != "dbt_utils":
        return None
    if name == "date_spine":
        return lambda datepart, start_date, end_date: date_spine(
            state, datepart, start_date, end_date
        )
    if name == "star":  # dbt_utils.star(from, relation_alias, except, prefix, suffix, quote_...)

        def star_(*args: Any, **kw: Any) -> str:
            names = ("from", "relation_alias", "except", "prefix", "suffix", "quote_identifiers")
            given = {**dict(zip(names, args)), **kw}
            return star(
                state,
                given.get("from"),
                given.get("relation_alias", False),
                given.get("except", ()),
                given.get("prefix", ""),
                given.get("suffix", ""),
                given.get("quote_identifiers", True),
            )

        return star_
    if name == "generate_surrogate_key":
        null_value = (
            ""
            if state.r.project.vars.get("surrogate_key_treat_nulls_as_empty_strings")
            else SURROGATE_NULL
        )
        return lambda field_list: surrogate_key(state, list(field_list), null_value)
    if name == "surrogate_key":  # dbt_utils < 1.0

        def legacy(*fields: Any) -> str:
            items = (
                list(fields[0])
                if len(fields) == 1 and isinstance(fields[0], (list, tuple))
                else list(fields)
            )
            return surrogate_key(state, items, "")

        return legacy
    if name == "deduplicate":  # dbt_utils < 1.0 called partition_by group_by

        def dedup(relation: Any, partition_by: Any = None, order_by: Any = None, **kw: Any) -> str:
            partition_by = partition_by if partition_by is not None else kw.get("group_by")
            if partition_by is None or order_by is None:
                raise RenderError(
                    "dbt_utils.deduplicate needs partition_by and order_by",
                    name="dbt_utils.deduplicate",
                )
            return deduplicate(state, relation, str(partition_by), str(order_by))

        return dedup
    if name == "union_relations":
        return lambda relations, **kw: union_relations(state, relations, **kw)
    # dbt_utils < 1.0 carried the cross-database macros now in dbt itself
    return dbt_macro(state, name)


class Adapter:
    """``adapter`` in a template: dispatch, quoting and column lookups."""

    def __init__(self, state: ModelContext) -> None:
        self._state = state

    def dispatch(
        self, macro_name: str, macro_namespace: str | None = None, packages: Any = None
    ) -> Any:
        return self._state.dispatch(macro_name, macro_namespace, packages)

    def quote(self, identifier: str) -> str:
        return _quote(self._state, str(identifier))

    def type(self) -> str:
        return self._state.r.adapter

    def get_columns_in_relation(self, relation: Any) -> list[Any]:
        columns = relation_columns(self._state, relation, "adapter.get_columns_in_relation")
        return [ColumnInfo(n, t, self._state.r.read) for n, t in columns or []]

    def get_relation(self, database: Any = None, schema: Any = None, identifier: Any = None) -> Any:
        node = _relation_node(self._state, identifier)
        return Relation(node.table_name, self._state.r.read) if node is not None else None
