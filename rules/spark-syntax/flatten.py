"""Snowflake's LATERAL FLATTEN becomes a Flink UNNEST join."""

from __future__ import annotations

import re

from sqlglot import exp

from shiftleft.dialects.flink_parser import JsonQuery
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

O = pack_module(__file__, "_ordinality")

#: FLATTEN's output columns without a Flink counterpart
_UNSUPPORTED_COLUMNS = ("seq", "key", "path", "this")
#: expressions that are arrays already (Flink's SPLIT gives ARRAY<STRING>, as Snowflake's)
_ARRAYS = (exp.Split, exp.Array, exp.ArrayAgg)
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _flatten(join: exp.Join) -> exp.Explode | None:
    """The FLATTEN call ``join`` reads (``LATERAL FLATTEN(...)`` or ``TABLE(FLATTEN(...))``)."""
    holder = join.this
    if isinstance(holder, (exp.Lateral, exp.TableFromRows)) and type(holder.this) is exp.Explode:
        return holder.this
    return None


def _arguments(call: exp.Explode) -> dict[str, exp.Expr]:
    """FLATTEN's arguments by name (the first may be positional: the input)."""
    found: dict[str, exp.Expr] = {}
    for position, arg in enumerate([call.this, *(call.expressions or [])]):
        if isinstance(arg, exp.Kwarg):
            found[arg.this.name.lower()] = arg.expression
        elif position == 0 and arg is not None:
            found["input"] = arg
    return found


def _true(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Boolean) and bool(node.this)


class SnowflakeFlatten(Rule):
    """Snowflake's ``LATERAL FLATTEN(input => x)`` (or ``TABLE(FLATTEN(...))``) joins each row
    with the elements of the array ``x``, as columns ``VALUE`` and ``INDEX`` (0-based), among
    others.  Flink writes that as a join with ``UNNEST``:

    * an ARRAY (a declared ARRAY column, ``SPLIT``, ``ARRAY_CONSTRUCT``): ``UNNEST(x)``;
    * JSON (a VARIANT / string column, a ``:path`` into one, ``PARSE_JSON(s)``):
      ``UNNEST(JSON_QUERY(s, '$' RETURNING ARRAY<STRING>))``, whose elements are the JSON text
      of each element (a string element without its quotes, as ``value::string`` gives), so
      ``value:name`` paths still read them.  An OBJECT input is expanded into its keys by
      Snowflake and gives no row here: a warning says so;
    * ``INDEX`` is Flink's ``WITH ORDINALITY``, which counts from 1: references become
      ``index - 1``;
    * ``OUTER => TRUE`` keeps rows whose array is empty or NULL: ``LEFT JOIN ... ON TRUE``
      (checked on Flink 2.3);
    * ``PATH => 'a.b'`` reads the array at that JSON path.

    ``RECURSIVE => TRUE``, a non-literal ``OUTER`` or ``PATH``, and the ``SEQ`` / ``KEY`` /
    ``PATH`` / ``THIS`` columns have no Flink form and are reported.
    """

    id = "SL3023"
    name = "snowflake-flatten"
    title = "LATERAL FLATTEN(input => x) becomes a join with UNNEST (JSON arrays through JSON_QUERY)"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT t.a, f.value AS tag, f.index AS i FROM t, LATERAL FLATTEN(input => t.arr) f",
            after="SELECT t.a, f.`value` AS tag, (f.index - 1) AS i FROM t CROSS JOIN UNNEST(t.arr) "
            "WITH ORDINALITY AS f(`value`, index)",
            read="snowflake",
            types={"t": {"a": "INT", "arr": "ARRAY<INT>"}},
        ),
        Example(
            before="SELECT t.a, f.value:name::string AS n FROM t, LATERAL FLATTEN(input => t.js, outer => true) f",
            after="SELECT t.a, COALESCE(JSON_VALUE(f.`value`, '$.name'), JSON_QUERY(f.`value`, '$.name')) AS n "
            "FROM t LEFT JOIN UNNEST(JSON_QUERY(t.js, '$' "
            "RETURNING ARRAY<STRING>)) WITH ORDINALITY AS f(`value`, index) ON TRUE",
            read="snowflake",
            types={"t": {"a": "INT", "js": "VARCHAR"}},
            diagnoses=True,
        ),
        Example(
            before="SELECT f.value FROM t, LATERAL FLATTEN(input => t.js, recursive => true) f",
            after="SELECT f.`value` FROM t,  CROSS JOIN UNNEST(input => t.js) AS f(SEQ, KEY, PATH, INDEX, `VALUE`, THIS)",
            read="snowflake",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        if ctx.read != "snowflake":
            return None
        changed = False
        for join in list(node.args.get("joins") or []):
            call = _flatten(join)
            if call is not None and self._rewrite(node, join, call, ctx):
                changed = True
        return node if changed else None

    def _rewrite(self, select: exp.Select, join: exp.Join, call: exp.Explode, ctx: RuleContext) -> bool:
        args = _arguments(call)
        value = args.get("input")
        outer, path = args.get("outer"), args.get("path")
        problem = (
            "FLATTEN without an input" if value is None
            else "RECURSIVE => TRUE" if _true(args.get("recursive"))
            else "a non-literal OUTER" if outer is not None and not isinstance(outer, exp.Boolean)
            else "a PATH other than a literal a.b.c" if path is not None and not (
                path.is_string and _PATH.fullmatch(path.name))
            else None
        )
        alias = join.this.args.get("alias")
        name = alias.name if alias is not None and alias.name else "f"
        columns = self._references(select, name, ctx)
        if problem is None and columns["other"]:
            problem = f"FLATTEN's {columns['other'][0].name.upper()} column"
        if problem is not None or value is None:
            ctx.report(
                call,
                f"{problem} has no Flink translation",
                severity=Severity.ERROR,
                suggestion="read the array with UNNEST(...) yourself: CROSS JOIN UNNEST(arr) WITH "
                "ORDINALITY AS f(value, index)",
            )
            return False
        array = self._array(value, path, ctx)
        unnest = exp.Unnest(
            expressions=[array],
            alias=exp.TableAlias(this=exp.to_identifier(name), columns=[exp.to_identifier("value")]),
            offset=exp.to_identifier("index"),
        )
        if _true(outer):
            join.replace(exp.Join(this=unnest, side="LEFT", on=exp.true()))
        else:
            join.replace(exp.Join(this=unnest, kind="CROSS"))
        for column in columns["index"]:
            O.zero_based(column, select)
        return True

    @staticmethod
    def _references(select: exp.Select, name: str, ctx: RuleContext) -> dict[str, list[exp.Column]]:
        """The select's own references to FLATTEN's INDEX, and to the columns without a Flink
        form (qualified with the FLATTEN's name, or unqualified and of no schema table)."""
        found: dict[str, list[exp.Column]] = {"index": [], "other": []}
        for column in ctx.own_nodes(select, exp.Column):
            assert isinstance(column, exp.Column)
            wanted = column.name.lower()
            ours = column.table.lower() == name.lower() if column.table else ctx.column_type(column) is None
            if not ours:
                continue
            if wanted == "index":
                found["index"].append(column)
            elif wanted in _UNSUPPORTED_COLUMNS and column.table:
                found["other"].append(column)
        return found

    @staticmethod
    def _array(value: exp.Expr, path: exp.Expr | None, ctx: RuleContext) -> exp.Expr:
        """The array to UNNEST: ``value`` itself when it is an array, else its JSON text read as
        ``ARRAY<STRING>`` (at ``path``)."""
        declared = ctx.declared_type(value)
        read_array = isinstance(value, JsonQuery) and value.args.get("returning") is not None  # ::ARRAY (SL3034)
        if path is None and (isinstance(value, _ARRAYS) or read_array or (declared is not None and declared.this is exp.DType.ARRAY)):
            return value.copy()
        if isinstance(value, exp.ParseJSON):
            value = value.this  # the JSON text itself: Flink reads JSON from strings
        ctx.report(
            value,
            "FLATTEN over JSON reads it as an array: an OBJECT (which Snowflake expands into its "
            "keys) gives no rows in Flink",
            severity=Severity.WARNING,
            suggestion="if the input can be an object, read its keys another way (a UDTF)",
        )
        json_path = "$" + (f".{path.name}" if path is not None else "")
        return JsonQuery(
            this=value.copy(), expression=exp.Literal.string(json_path), returning=exp.DataType.build("ARRAY<STRING>")
        )
