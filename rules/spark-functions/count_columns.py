"""Spark's COUNT of several values (``count(a, b)``, ``count(DISTINCT a, b)``, ``count(t.*)``):
Flink's COUNT takes one."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import select_inputs
from shiftleft.streaming.catalog import input_columns

_T = "CREATE TEMPORARY VIEW t AS SELECT * FROM VALUES (1, 2) AS t(a, b); "
_T_OUT = "CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES (1, 2)) AS t(a, b);\n"


class _Unknown(Exception):
    """The columns a star stands for are not known."""


def _star_columns(column: exp.Expr, ctx: RuleContext) -> list[exp.Expr]:
    """The columns ``*`` / ``t.*`` stands for in its SELECT (qualified by their input)."""
    select = column.find_ancestor(exp.Select)
    if select is None or select.args.get("laterals"):
        raise _Unknown("its SELECT is not known")
    if any(j.args.get("using") or j.method for j in select.args.get("joins") or []):
        raise _Unknown("a USING / NATURAL join merges columns")
    qualifier = column.table if isinstance(column, exp.Column) else ""
    sources = [s for s in select_inputs(select) if not qualifier or s.alias_or_name.lower() == qualifier.lower()]
    if not sources:
        raise _Unknown(f"no input named {qualifier}")
    found: list[exp.Expr] = []
    for source in sources:
        names = input_columns(source, ctx)
        if names is None:
            raise _Unknown(f"the columns of {source.alias_or_name or 'an input'} are not known")
        found += [exp.column(n, table=source.alias_or_name or None) for n in names]
    return found


def _arguments(count: exp.Count, ctx: RuleContext) -> tuple[list[exp.Expr], bool] | None:
    """(the values counted, DISTINCT) of a Spark COUNT of several values or of ``t.*``, stars
    written out; None for a COUNT Flink takes as it is (one value, or ``*``)."""
    inner = count.this
    distinct = isinstance(inner, exp.Distinct)
    values = list(inner.expressions) if distinct else [inner, *count.expressions]
    stars = [v for v in values if isinstance(v, exp.Star) or (isinstance(v, exp.Column) and v.is_star)]
    if len(values) < 2 and not (stars and (distinct or isinstance(values[0], exp.Column))):
        return None
    out: list[exp.Expr] = []
    for value in values:
        out += _star_columns(value, ctx) if value in stars else [value]
    return out, distinct


def _not_null(value: exp.Expr) -> bool:
    return isinstance(value, (exp.Literal, exp.Boolean))


def _text(value: exp.Expr) -> exp.Expr:
    return exp.Cast(this=value.copy(), to=exp.DataType.build("STRING"))


def _struct_key(values: list[exp.Expr]) -> exp.Expr:
    """One STRING per struct value, NULL fields included: each field as ``<length>:<text>``,
    a NULL field as ``-`` (no length starts with it)."""
    parts: list[exp.Expr] = []
    for value in values:
        length = exp.Cast(this=exp.Length(this=_text(value)), to=exp.DataType.build("STRING"))
        written = exp.Concat(expressions=[length, exp.Literal.string(":"), _text(value)])
        parts.append(exp.Coalesce(this=written, expressions=[exp.Literal.string("-")]))
    return exp.Concat(expressions=parts)


def _key(values: list[exp.Expr]) -> exp.Expr:
    """One STRING per tuple, different for different tuples: each value but the last is
    written with its length first (``3:abc``), so no two tuples give the same text."""
    if len(values) == 1:
        return values[0].copy()
    parts: list[exp.Expr] = []
    for value in values[:-1]:
        length = exp.Cast(this=exp.Length(this=_text(value)), to=exp.DataType.build("STRING"))
        parts += [length, exp.Literal.string(":"), _text(value)]
    parts.append(_text(values[-1]))
    return exp.Concat(expressions=parts)


class CountSeveralValues(Rule):
    """Spark counts the rows where every one of several values is not NULL: ``count(a, b)``,
    ``count(t.*)`` (every column of ``t``), and ``count(DISTINCT a, b)`` the distinct
    ``(a, b)`` tuples without a NULL.  Flink's COUNT takes one value ("We now only support the
    count of one field"; ``t.*`` is "Unknown field '*'").  The rows are counted with
    ``COUNT(CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN 1 END)``; distinct tuples with
    ``COUNT(DISTINCT CASE WHEN ... THEN <key> END)``, the key one STRING per tuple (each value
    as text, led by its length, so different tuples never share a key; Flink's streaming
    planner has no DISTINCT over a ROW).  ``count(DISTINCT (a, b))`` counts distinct structs,
    NULL fields included: its key writes a NULL field as ``-``.  A star whose columns are not
    known is reported."""

    id = "SL1122"
    name = "count-several-values"
    title = "COUNT of several values / t.* counts the rows (or distinct tuples) with no NULL"
    node_types = (exp.Count,)
    examples = (
        Example(
            before=_T + "SELECT count(a, b) FROM t",
            after=_T_OUT + "SELECT COUNT(CASE WHEN NOT a IS NULL AND NOT b IS NULL THEN 1 END) FROM t",
        ),
        Example(
            before=_T + "SELECT count(DISTINCT a, b) FROM t",
            after=_T_OUT + "SELECT COUNT(DISTINCT CASE WHEN NOT a IS NULL AND NOT b IS NULL THEN "
            "CONCAT(CAST(CHAR_LENGTH(CAST(a AS STRING)) AS STRING), ':', CAST(a AS STRING), CAST(b AS STRING)) END) FROM t",
        ),
        Example(
            before=_T + "SELECT count(t.*) FROM t",
            after=_T_OUT + "SELECT COUNT(CASE WHEN NOT t.a IS NULL AND NOT t.b IS NULL THEN 1 END) FROM t",
        ),
        Example(
            before="SELECT count(DISTINCT (a, b)) FROM t",
            after="SELECT COUNT(DISTINCT CONCAT(COALESCE(CONCAT(CAST(CHAR_LENGTH(CAST(a AS STRING)) AS STRING), ':', "
            "CAST(a AS STRING)), '-'), COALESCE(CONCAT(CAST(CHAR_LENGTH(CAST(b AS STRING)) AS STRING), ':', "
            "CAST(b AS STRING)), '-'))) FROM t",
        ),
        Example(before="SELECT count(x.*) FROM x", after="SELECT COUNT(x.*) FROM x", diagnoses=True),
        Example(before="SELECT count(*), count(DISTINCT a) FROM t", after="SELECT COUNT(*), COUNT(DISTINCT a) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Count)
        inner = node.this
        if isinstance(inner, exp.Distinct) and len(inner.expressions) == 1 and isinstance(inner.expressions[0], exp.Tuple):
            # count(DISTINCT (a, b)): distinct structs, whose fields may be NULL
            key = _struct_key(list(inner.expressions[0].expressions))
            return exp.Count(this=exp.Distinct(expressions=[key]), big_int=node.args.get("big_int"))
        try:
            found = _arguments(node, ctx)
        except _Unknown as e:
            ctx.report(
                node,
                f"COUNT of a star ({ctx.sql(node)}) cannot be written out: {e}",
                severity=Severity.ERROR,
                suggestion="name the columns: count(a, b) counts the rows where none is NULL",
            )
            return None
        if found is None:
            return None
        values, distinct = found
        nullable = list({v.sql(): v for v in values if not _not_null(v)}.values())  # count(t.*, t.*): once
        condition = exp.and_(*(exp.not_(exp.Is(this=v.copy(), expression=exp.Null())) for v in nullable)) if nullable else None
        counted: exp.Expr = _key(values) if distinct else exp.Literal.number(1)
        if condition is not None:
            counted = exp.Case(ifs=[exp.If(this=condition, true=counted)])
        return exp.Count(this=exp.Distinct(expressions=[counted]) if distinct else counted, big_int=node.args.get("big_int"))


class CountUntypedNull(Rule):
    """``count(NULL)`` / ``count(DISTINCT NULL)`` count nothing: 0 in Spark.  Flink cannot type
    a bare NULL argument ("Illegal use of 'NULL'"), so the NULL gets a type:
    ``COUNT(CAST(NULL AS INT))``, still 0."""

    id = "SL1126"
    name = "count-untyped-null"
    title = "count(NULL) counts a typed NULL (0, as in Spark)"
    node_types = (exp.Count,)
    examples = (
        Example(
            before="SELECT count(null), count(DISTINCT null) FROM t",
            after="SELECT COUNT(CAST(NULL AS INT)), COUNT(DISTINCT CAST(NULL AS INT)) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Count)
        inner = node.this
        values = inner.expressions if isinstance(inner, exp.Distinct) else [inner]
        if len(values) != 1 or not isinstance(values[0], exp.Null) or node.expressions:
            return None
        values[0].replace(exp.Cast(this=exp.Null(), to=exp.DataType.build("INT")))
        return node
