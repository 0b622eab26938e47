"""Snowflake's semi-structured values (VARIANT, OBJECT, untyped ARRAY) as JSON text in Flink.

Flink 2.3 reads JSON from strings (JSON_VALUE, JSON_QUERY); its own VARIANT type cannot be cast
to or from any other type (checked on the planner: ``CAST(PARSE_JSON(s)['a'] AS INT)`` and
``CAST(s AS VARIANT)`` are rejected).  So, as FLATTEN's elements (SL3023), a semi-structured
value stays the JSON text it was read from, paths into it are JSON paths, and an array of them
is ``JSON_QUERY(text, '$' RETURNING ARRAY<STRING>)``.  The helpers of the rules that say so
(SL3033, SL3034, SL1107).
"""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_parser import JsonQuery
from shiftleft.rewrite.context import RuleContext
from shiftleft.sqlglot_objects import data_type

#: declared types that hold JSON (a string of JSON text, or Snowflake's semi-structured types)
JSON_TYPES = {*exp.DataType.TEXT_TYPES, exp.DType.VARIANT, exp.DType.OBJECT, exp.DType.JSON}
#: Snowflake's semi-structured types a value may be cast to (ARRAY only without element type)
SEMI_STRUCTURED = {exp.DType.VARIANT, exp.DType.OBJECT, exp.DType.JSON}


def document(node: exp.Expr) -> exp.Expr:
    """The JSON text ``node`` parses: ``PARSE_JSON(s)`` reads ``s`` (Flink reads JSON from strings)."""
    while isinstance(node, exp.ParseJSON) or (isinstance(node, exp.Anonymous) and node.name.upper() == "TRY_PARSE_JSON"):
        node = node.this if isinstance(node, exp.ParseJSON) else node.expressions[0]
    return node


def json_path(node: exp.Expr) -> tuple[exp.Expr, list[exp.Expr]] | None:
    """(document, path parts after the root) of a JSON path read (``v:a.b``), else None."""
    if isinstance(node, exp.JSONExtract) and node.args.get("variant_extract"):
        path = node.expression
        if isinstance(path, exp.JSONPath) and path.expressions and isinstance(path.expressions[0], exp.JSONPathRoot):
            return node.this, list(path.expressions[1:])
    return None


def is_json(node: exp.Expr, ctx: RuleContext, *, unknown: bool) -> bool:
    """True when ``node`` holds JSON: a path read, PARSE_JSON, a JSON-typed column or cast
    (``unknown``: also a value whose type is not known)."""
    if json_path(node) is not None or document(node) is not node:
        return True
    declared = ctx.declared_type(node)
    if declared is None:
        return unknown
    return declared.this in JSON_TYPES


def extract(value: exp.Expr, parts: list[exp.Expr]) -> exp.JSONExtract:
    """The JSON path read ``parts`` into ``value`` (one path when ``value`` is a path read
    already: ``v:a['b']`` is ``v:a.b``)."""
    nested = json_path(value)
    if nested is not None:
        value, parts = nested[0], nested[1] + parts
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), *(p.copy() for p in parts)])
    return exp.JSONExtract(this=document(value).copy(), expression=path, variant_extract=True)


#: expressions that build a Flink ARRAY (ARRAY_CONSTRUCT, ARRAY_AGG, SPLIT, TO_ARRAY)
ARRAYS = (exp.Array, exp.ArrayAgg, exp.Split, exp.ToArray)


def builds_array(node: exp.Expr) -> bool:
    """True when ``node`` builds an array, or picks one (IF / CASE / COALESCE branches)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, ARRAYS):
        return True
    if isinstance(node, exp.If):
        branches = [node.args.get("true"), node.args.get("false")]
    elif isinstance(node, exp.Case):
        branches = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
    elif isinstance(node, exp.Coalesce):
        branches = [node.this, *node.expressions]
    else:
        return False
    return any(b is not None and builds_array(b) for b in branches)


def array_of_elements(value: exp.Expr) -> exp.Expr:
    """``JSON_QUERY(doc, path RETURNING ARRAY<STRING>)``: the JSON array at ``value`` (a path
    read or JSON text), each element as its JSON text (a string without its quotes)."""
    found = json_path(value)
    text_of, parts = found if found is not None else (document(value), [])
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), *(p.copy() for p in parts)])
    text = exp.Literal.string(path.sql("flink").strip("'") if parts else "$")
    return JsonQuery(this=text_of.copy(), expression=text, returning=data_type("ARRAY<STRING>"))
