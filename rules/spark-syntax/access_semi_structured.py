"""Snowflake's semi-structured values (VARIANT, OBJECT, untyped ARRAY) as JSON text in Flink (the file
sorts before array_index.py: a subscript into JSON is a path, not a 1-based array index).

Flink 2.3 reads JSON from strings (JSON_VALUE, JSON_QUERY); its own VARIANT type cannot be cast
to or from any other type (checked on the planner: ``CAST(PARSE_JSON(s)['a'] AS INT)`` and
``CAST(s AS VARIANT)`` are rejected).  So, as FLATTEN's elements (SL3023), a semi-structured
value stays the JSON text it was read from, and paths into it become JSON paths.
"""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_parser import JsonQuery
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type

#: declared types that hold JSON (a string of JSON text, or Snowflake's semi-structured types)
_JSON_TYPES = {*exp.DataType.TEXT_TYPES, exp.DType.VARIANT, exp.DType.OBJECT, exp.DType.JSON}
#: Snowflake's semi-structured types a value may be cast to (ARRAY only without element type)
_SEMI_STRUCTURED = {exp.DType.VARIANT, exp.DType.OBJECT, exp.DType.JSON}


def _document(node: exp.Expr) -> exp.Expr:
    """The JSON text ``node`` parses: ``PARSE_JSON(s)`` reads ``s`` (Flink reads JSON from strings)."""
    while isinstance(node, exp.ParseJSON) or (isinstance(node, exp.Anonymous) and node.name.upper() == "TRY_PARSE_JSON"):
        node = node.this if isinstance(node, exp.ParseJSON) else node.expressions[0]
    return node


def _json_path(node: exp.Expr) -> tuple[exp.Expr, list[exp.Expr]] | None:
    """(document, path parts after the root) of a JSON path read (``v:a.b``), else None."""
    if isinstance(node, exp.JSONExtract) and node.args.get("variant_extract"):
        path = node.expression
        if isinstance(path, exp.JSONPath) and path.expressions and isinstance(path.expressions[0], exp.JSONPathRoot):
            return node.this, list(path.expressions[1:])
    return None


def _is_json(node: exp.Expr, ctx: RuleContext, *, unknown: bool) -> bool:
    """True when ``node`` holds JSON: a path read, PARSE_JSON, a JSON-typed column or cast
    (``unknown``: also a value whose type is not known)."""
    if _json_path(node) is not None or _document(node) is not node:
        return True
    declared = ctx.declared_type(node)
    if declared is None:
        return unknown
    return declared.this in _JSON_TYPES


def _extract(document: exp.Expr, parts: list[exp.Expr]) -> exp.JSONExtract:
    nested = _json_path(document)
    if nested is not None:  # v:a['b']: one path
        document, parts = nested[0], nested[1] + parts
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), *(p.copy() for p in parts)])
    return exp.JSONExtract(this=_document(document).copy(), expression=path, variant_extract=True)


class SnowflakeBracketPath(Rule):
    """Snowflake's ``v['key']`` and ``v[0]`` on a VARIANT / OBJECT / JSON value are the same as
    the path ``v:key`` / ``v[0]``: they become a JSON path read, which the JSON rules turn into
    ``JSON_VALUE`` (``v['a']['b']::int`` is ``TRY_CAST(JSON_VALUE(v, '$.a.b') AS INT)``, SL1061).
    Flink's ``v['key']`` is a MAP lookup and rejects a string (``Cannot apply 'ITEM' to
    arguments of type ITEM(<VARCHAR>, <CHAR>)``).  A key subscript applies to any value not
    declared an ARRAY, MAP or ROW (FLATTEN's elements and CTE columns have no declared type);
    an integer subscript only to a value known to hold JSON (a path, PARSE_JSON, a string or
    VARIANT column), since an untyped ``x[0]`` may be an ARRAY (SL3001 makes it 1-based).
    ``PARSE_JSON(s)['k']`` reads ``s``.
    """

    id = "SL3030"
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
            found = _json_path(node)
            if found is None or (_json_path(found[0]) is None and _document(found[0]) is found[0]):
                return None
            return _extract(found[0], found[1])
        assert isinstance(node, exp.Bracket)
        if node.args.get("offset") or len(node.expressions) != 1:
            return None
        index = node.expressions[0]
        if isinstance(index, exp.Literal) and index.is_string:
            if not _is_json(node.this, ctx, unknown=True):
                return None
            part: exp.Expr = exp.JSONPathKey(this=index.name)
        elif isinstance(index, exp.Literal) and index.is_int:
            if not _is_json(node.this, ctx, unknown=False):
                return None
            part = exp.JSONPathSubscript(this=int(index.name))
        else:
            return None
        return _extract(node.this, [part])


#: expressions that build a Flink ARRAY (ARRAY_CONSTRUCT, ARRAY_AGG, SPLIT)
_ARRAYS = (exp.Array, exp.ArrayAgg, exp.Split)


def _builds_array(node: exp.Expr) -> bool:
    """True when ``node`` builds an array, or picks one (IF / CASE / COALESCE branches)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, _ARRAYS):
        return True
    if isinstance(node, exp.If):
        branches = [node.args.get("true"), node.args.get("false")]
    elif isinstance(node, exp.Case):
        branches = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
    elif isinstance(node, exp.Coalesce):
        branches = [node.this, *node.expressions]
    else:
        return False
    return any(b is not None and _builds_array(b) for b in branches)


def _array_of_elements(value: exp.Expr) -> exp.Expr:
    """``JSON_QUERY(doc, path RETURNING ARRAY<STRING>)``: the JSON array at ``value`` (a path
    read or JSON text), each element as its JSON text (a string without its quotes)."""
    found = _json_path(value)
    document, parts = found if found is not None else (_document(value), [])
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), *(p.copy() for p in parts)])
    text = exp.Literal.string(path.sql("flink").strip("'") if parts else "$")
    return JsonQuery(this=document.copy(), expression=text, returning=data_type("ARRAY<STRING>"))


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

    id = "SL3031"
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
        if ctx.read != "snowflake" or not (untyped_array or to.this in _SEMI_STRUCTURED):
            return None
        value = node.this
        declared = ctx.declared_type(value)
        if (declared is not None and declared.this is exp.DType.ARRAY) or (untyped_array and _builds_array(value)):
            return value.copy()
        if not _is_json(value, ctx, unknown=True):
            ctx.report(
                node,
                f"a value of type {declared.sql(ctx.read) if declared is not None else 'unknown'} cast to "
                f"{to.sql(ctx.read)} has no Flink form (semi-structured values are JSON text here)",
                severity=Severity.ERROR,
                suggestion="cast the value to STRING, or build the JSON text yourself (JSON_OBJECT, JSON_ARRAY)",
            )
            return None
        if untyped_array:
            return _array_of_elements(value)
        if declared is not None and declared.this in exp.DataType.TEXT_TYPES and _json_path(value) is None:
            ctx.report(
                node,
                f"{value.sql(ctx.read)}::{to.sql(ctx.read)} keeps the string as JSON text: its paths "
                "read the text as JSON, where Snowflake's VARCHAR::VARIANT is a string whose paths are NULL",
                severity=Severity.WARNING,
                suggestion="if the column holds JSON, PARSE_JSON(x) says so in Snowflake too",
            )
        return value.copy()
