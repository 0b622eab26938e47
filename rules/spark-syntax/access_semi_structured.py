"""Snowflake's semi-structured values (VARIANT, OBJECT, untyped ARRAY) as JSON text in Flink
(see :mod:`shiftleft.rewrite.semi_structured`).  The file sorts before array_index.py: a
subscript into JSON is a path, not a 1-based array index."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.semi_structured import (
    SEMI_STRUCTURED,
    array_of_elements,
    builds_array,
    document,
    extract,
    is_json,
    json_path,
)


#: values built in SQL that are no JSON text (OBJECT_CONSTRUCT is a ROW, ARRAY_CONSTRUCT an ARRAY)
_CONSTRUCTED = (exp.Struct, exp.VarMap, exp.Map, exp.Array, exp.ArrayAgg, exp.Split)


def _flatten_value(node: exp.Expr) -> bool:
    """True when ``node`` is the VALUE column of a FLATTEN its SELECT joins (always a VARIANT
    in Snowflake; JSON text once SL3023 has made the FLATTEN an UNNEST)."""
    select = node.find_ancestor(exp.Select) if isinstance(node, exp.Column) else None
    if select is None or node.name.lower() != "value":
        return False
    for join in select.args.get("joins") or []:
        holder = join.this
        if isinstance(holder, (exp.Lateral, exp.TableFromRows)) and type(holder.this) is exp.Explode:
            alias = holder.args.get("alias")
            if not node.table or (alias is not None and alias.name.lower() == node.table.lower()):
                return True
    return False


class SnowflakeBracketPath(Rule):
    """Snowflake's ``v['key']`` and ``v[0]`` on a VARIANT / OBJECT / JSON value are the same as
    the path ``v:key`` / ``v[0]``: they become a JSON path read, which the JSON rules turn into
    ``JSON_VALUE`` (``v['a']['b']::int`` is ``TRY_CAST(JSON_VALUE(v, '$.a.b') AS INT)``, SL1061).
    Flink's ``v['key']`` is a MAP lookup and rejects a string (``Cannot apply 'ITEM' to
    arguments of type ITEM(<VARCHAR>, <CHAR>)``).  A key subscript applies to any value not
    declared an ARRAY, MAP or ROW (FLATTEN's elements and CTE columns have no declared type);
    an integer subscript only to a value known to hold JSON (a path, PARSE_JSON, a string or
    VARIANT column, a FLATTEN's VALUE), since an untyped ``x[0]`` may be an ARRAY (SL3001
    makes it 1-based).
    ``PARSE_JSON(s)['k']`` reads ``s``.
    """

    id = "SL3033"
    name = "snowflake-bracket-path"
    title = "Snowflake v['key'] / v[0] on a VARIANT or JSON string becomes a JSON path read"
    node_types = (exp.Bracket, exp.JSONExtract)
    examples = (
        Example(
            before="SELECT js['a']['b']::int, js['tags'][0]::string FROM t",
            after="SELECT TRY_CAST(JSON_VALUE(js, '$.a.b') AS INT), COALESCE(JSON_VALUE(js, '$.tags[0]'), "
            "JSON_QUERY(js, '$.tags[0]')) FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT PARSE_JSON(s)['66']:value::date FROM t",
            after="SELECT TRY_CAST(JSON_VALUE(s, '$[\"66\"].value') AS DATE) FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT m['k'], arr[0] FROM t", after="SELECT m['k'], arr[1] FROM t", read="snowflake",
            types={"t": {"m": "MAP(VARCHAR, INT)", "arr": "ARRAY(INT)"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read != "snowflake":
            return None
        if isinstance(node, exp.JSONExtract):  # v['a']:b, PARSE_JSON(s):a: one path over the text
            found = json_path(node)
            if found is None or (json_path(found[0]) is None and document(found[0]) is found[0]):
                return None
            return extract(found[0], found[1])
        assert isinstance(node, exp.Bracket)
        if node.args.get("offset") or len(node.expressions) != 1:
            return None
        index = node.expressions[0]
        if isinstance(index, exp.Literal) and index.is_string:
            built = isinstance(node.this, _CONSTRUCTED) or (
                isinstance(node.this, exp.Anonymous) and node.this.name.upper() in ("ROW", "MAP"))  # SL1082's ROW
            if built or not is_json(node.this, ctx, unknown=True):
                return None
            part: exp.Expr = exp.JSONPathKey(this=index.name)
        elif isinstance(index, exp.Literal) and index.is_int:
            if not (is_json(node.this, ctx, unknown=False) or _flatten_value(node.this)):
                return None
            part = exp.JSONPathSubscript(this=int(index.name))
        else:
            return None
        return extract(node.this, [part])


class SnowflakeSemiStructuredCast(Rule):
    """Snowflake's ``x::VARIANT`` / ``::OBJECT`` and ``x::ARRAY`` (an array of VARIANTs, no
    element type) have no Flink cast: Flink's ARRAY needs an element type, and it casts nothing
    to its VARIANT.  With semi-structured values kept as JSON text (see the module):

    * ``x::VARIANT`` / ``x::OBJECT`` of a string, a VARIANT or a path read is ``x`` itself;
    * ``x::ARRAY`` is ``JSON_QUERY(x, '$' RETURNING ARRAY<STRING>)``: the JSON array's elements
      as JSON text, as FLATTEN reads them (``x:path::ARRAY`` reads the array at the path); an
      ARRAY already is itself.

    Snowflake's ``VARCHAR::VARIANT`` is a string value whose paths are NULL; a string kept as
    JSON text has the paths its text spells, so a cast of a declared string warns.  A cast of a
    number, date or boolean to these types is reported.
    """

    id = "SL3034"
    name = "snowflake-semi-structured-cast"
    title = "Snowflake ::VARIANT / ::OBJECT keep the JSON text; ::ARRAY reads its elements (JSON_QUERY)"
    node_types = (exp.Cast, exp.TryCast)
    examples = (
        Example(
            before="SELECT js:tags::ARRAY, js::VARIANT FROM t",
            after="SELECT JSON_QUERY(js, '$.tags' RETURNING ARRAY<STRING>), js FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT s::VARIANT FROM t", after="SELECT s FROM t", read="snowflake",
            types={"t": {"s": "VARCHAR"}}, diagnoses=True,
        ),
        Example(
            before="SELECT arr::ARRAY FROM t", after="SELECT arr FROM t", read="snowflake",
            types={"t": {"arr": "ARRAY<INT>"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Cast, exp.TryCast))
        to = node.to
        untyped_array = to.this is exp.DType.ARRAY and not to.expressions
        if ctx.read != "snowflake" or not (untyped_array or to.this in SEMI_STRUCTURED):
            return None
        value = node.this
        if isinstance(value, exp.ParseJSON) and not untyped_array:  # PARSE_JSON(s)::VARIANT
            return _json_text(value)
        declared = ctx.declared_type(value)
        if (declared is not None and declared.this is exp.DType.ARRAY) or (untyped_array and builds_array(value)):
            return value.copy()
        if not is_json(value, ctx, unknown=True):
            ctx.report(
                node,
                f"a value of type {declared.sql(ctx.read) if declared is not None else 'unknown'} cast to "
                f"{to.sql(ctx.read)} has no Flink form (semi-structured values are JSON text here)",
                severity=Severity.ERROR,
                suggestion="cast the value to STRING, or build the JSON text yourself (JSON_OBJECT, JSON_ARRAY)",
            )
            return None
        if untyped_array:
            return array_of_elements(value)
        if declared is not None and declared.this in exp.DataType.TEXT_TYPES and json_path(value) is None:
            ctx.report(
                node,
                f"{value.sql(ctx.read)}::{to.sql(ctx.read)} keeps the string as JSON text: its paths "
                "read the text as JSON, where Snowflake's VARCHAR::VARIANT is a string whose paths are NULL",
                severity=Severity.WARNING,
                suggestion="if the column holds JSON, PARSE_JSON(x) says so in Snowflake too",
            )
        return value.copy()


class SnowflakeParseJson(Rule):
    """Snowflake's ``PARSE_JSON(s)`` is a VARIANT; with semi-structured values kept as JSON
    text (see the module) it is ``s`` itself, whose paths the JSON rules read.  Flink's own
    ``PARSE_JSON`` gives its VARIANT, which no sink declared from the query's types takes
    (sqlglot types it JSON, no Flink type), no JSON function reads and ``COALESCE`` does not
    mix with a string (``COALESCE(VARIANT, STRING)`` is rejected: checked on Flink 2.3).
    ``TRY_PARSE_JSON(s)`` is NULL where ``s`` is no JSON: ``CASE WHEN s IS JSON THEN s END``.
    A PARSE_JSON under a path read or a subscript is left to those rules (SL3033), a cast to
    VARIANT / OBJECT to SL3034.
    """

    id = "SL1108"
    name = "snowflake-parse-json"
    title = "Snowflake PARSE_JSON(s) keeps the JSON text s; TRY_PARSE_JSON(s) is s where s IS JSON"
    node_types = (exp.ParseJSON,)
    examples = (
        Example(
            before="SELECT PARSE_JSON(s) AS doc, TRY_PARSE_JSON(s) AS maybe FROM t",
            after="SELECT s AS doc, CASE WHEN s IS JSON THEN s END AS maybe FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT COALESCE(TRY_PARSE_JSON(s), s::VARIANT) AS v FROM t",
            after="SELECT COALESCE(CASE WHEN s IS JSON THEN s END, s) AS v FROM t",
            read="snowflake",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.ParseJSON)
        if ctx.read != "snowflake" or isinstance(node.parent, (exp.Bracket, exp.JSONExtract, exp.Cast, exp.TryCast)):
            return None
        return _json_text(node)


def _json_text(node: exp.ParseJSON) -> exp.Expr:
    """The JSON text ``PARSE_JSON(s)`` / ``TRY_PARSE_JSON(s)`` parses (see SL1108)."""
    text = node.this.copy()
    if not node.args.get("safe"):
        return text
    # Flink's ``s IS JSON``: TRUE when the string is a JSON document
    valid = exp.Is(this=text.copy(), expression=exp.JSON(this=False, unique=False))
    return exp.Case(ifs=[exp.If(this=valid, true=text)])
