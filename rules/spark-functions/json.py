"""JSON paths to Flink's JSON_VALUE: Snowflake / Databricks ``col:path::type``,
Spark ``from_json(js, schema).field``."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type

_STRUCTURED = {exp.DType.ARRAY, exp.DType.MAP, exp.DType.STRUCT, exp.DType.OBJECT, exp.DType.JSON,
               exp.DType.VARIANT}


def _json_value(doc: exp.Expr, path: exp.Expr, kind: exp.DataType) -> exp.Expr:
    """To a string: the value's text (``COALESCE(JSON_VALUE(...), JSON_QUERY(...))``: a scalar
    without quotes, an object or array as its JSON text, as Snowflake's ``v:a::string``);
    else JSON_VALUE, then a TRY_CAST to ``kind`` (NULL for a value that does not convert, like
    JSON_VALUE's default ON ERROR).  Not ``RETURNING kind``:
    Flink 2.3 fails the job with a ClassCastException when the JSON value is of another JSON
    type (``RETURNING INT`` of ``1.5`` or ``"12"``, ``RETURNING DOUBLE`` of ``"1.5"``,
    ``RETURNING BOOLEAN`` of ``"true"``; checked on 2.3), and it rejects BIGINT, DECIMAL, DATE,
    TIMESTAMP."""
    if kind.this in exp.DataType.TEXT_TYPES:
        return exp.JSONExtract(this=doc.copy(), expression=path.copy(), variant_extract=True)
    return exp.TryCast(this=exp.JSONValue(this=doc.copy(), path=path.copy()), to=kind.copy(), safe=True)


class JsonPathCastToJsonValue(Rule):
    """A JSON path read with a scalar cast, Snowflake's / Databricks' ``col:a.b::int`` (or
    ``CAST(col:a.b AS INT)``), becomes ``TRY_CAST(JSON_VALUE(col, '$.a.b') AS INT)``.  Flink's
    JSON_QUERY returns NULL for a scalar, so a cast of it would be NULL on every row; a cast to
    a string type is the value's text (JSON_VALUE, or JSON_QUERY for an object or array).  Not ``JSON_VALUE(... RETURNING INT)``: Flink 2.3 fails
    the job with a ClassCastException when the value is of another JSON type (``1.5`` or
    ``"12"`` read as INT).  A cast to ARRAY / MAP / ROW keeps JSON_QUERY.  A value
    that does not convert gives NULL (JSON_VALUE's default ON ERROR), where Snowflake raises.
    """

    id = "SL1061"
    name = "json-path-cast-to-json-value"
    title = "col:path::type becomes TRY_CAST(JSON_VALUE(col, '$.path') AS type)"
    node_types = (exp.Cast, exp.TryCast)
    examples = (
        Example(
            before="SELECT js:a.b::int FROM t", after="SELECT TRY_CAST(JSON_VALUE(js, '$.a.b') AS INT) FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT js:name::string FROM t", after="SELECT COALESCE(JSON_VALUE(js, '$.name'), JSON_QUERY(js, '$.name')) FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT CAST(js:amount AS DECIMAL(10, 2)) FROM t",
            after="SELECT TRY_CAST(TRY_CAST(JSON_VALUE(js, '$.amount') AS DECIMAL(38, 2)) AS DECIMAL(10, 2)) FROM t",
            read="databricks",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Cast, exp.TryCast))
        inner = node.this
        if not isinstance(inner, (exp.JSONExtract, exp.JSONExtractScalar)) or node.to.this in _STRUCTURED:
            return None
        path = inner.expression
        if path is None:
            return None
        return _json_value(inner.this, path, node.to)


def _field_type(call: exp.FromJson, field: str) -> exp.DataType | None:
    """The type of ``field`` in from_json's literal schema (None when not found)."""
    schema = call.expression
    if not (isinstance(schema, exp.Literal) and schema.is_string):
        return None
    try:
        struct = data_type(f"STRUCT<{schema.this}>", dialect="spark")
    except Exception:  # noqa: BLE001 - an unreadable schema is reported by SL1062
        return None
    for column in struct.expressions:
        if isinstance(column, exp.ColumnDef) and column.name.lower() == field.lower():
            kind = column.args.get("kind")
            return kind if isinstance(kind, exp.DataType) else None
    return None


class FromJsonTypedField(Rule):
    """Spark's ``from_json(js, 'a INT').a`` is NULL when the JSON value is of another JSON
    type than the schema's: a string ``"12"``, a fraction ``1.5`` for an integer field, ``1``
    for a BOOLEAN.  The translation (SL1062) reads the value's text with JSON_VALUE and casts
    it, so those convert: 12, 1 and TRUE (checked on PySpark 4 and Flink 2.3).  Flink's
    ``JSON_VALUE ... RETURNING`` fails the job on them instead, and no Flink built-in tells a
    JSON string from a number without a JSON_QUERY wrapper clause the generator cannot write,
    so the call is reported: documents whose values have the schema's JSON types give the
    same values."""

    id = "SL1115"
    name = "from-json-typed-field"
    title = "from_json(js, schema).field of a non-string type also converts values of another JSON type"
    node_types = (exp.Dot,)
    examples = (
        Example(
            before="SELECT from_json(js, 'a INT, b STRING').a FROM t",
            after="SELECT TRY_CAST(JSON_VALUE(js, '$.a') AS INT) FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT from_json(js, 'a INT, b STRING').b FROM t",
            after="SELECT COALESCE(JSON_VALUE(js, '$.b'), JSON_QUERY(js, '$.b')) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        call = node.this
        if not isinstance(call, exp.FromJson) or not isinstance(node.expression, exp.Identifier):
            return None
        field = node.expression.name
        kind = _field_type(call, field)
        if kind is None or not (kind.this in exp.DataType.NUMERIC_TYPES or kind.this is exp.DType.BOOLEAN):
            return None  # a string, date or timestamp field reads a JSON string: the same
        ctx.report(
            node,
            f"from_json(...).{field} ({kind.sql(dialect='spark')}): a JSON value of another type converts in "
            f"Flink (\"12\" or 1.5 read as INT give 12 and 1, 1 read as BOOLEAN gives TRUE) where Spark gives NULL",
            severity=Severity.WARNING,
            suggestion="if the documents may hold such values, read the field as STRING and convert it explicitly",
        )
        return None


class FromJsonFieldToJsonValue(Rule):
    """Spark's ``from_json(js, 'a INT, b STRING').a`` parses the document only to read one
    scalar field: ``TRY_CAST(JSON_VALUE(js, '$.a') AS INT)`` is the same value (NULL for a
    missing field or malformed JSON, as Spark's default PERMISSIVE mode gives).  A field of a
    struct, array or map type, or a schema that is not a literal, is reported.
    """

    id = "SL1062"
    name = "from-json-field-to-json-value"
    title = "from_json(js, schema).field becomes TRY_CAST(JSON_VALUE(js, '$.field') AS type)"
    node_types = (exp.Dot,)
    examples = (
        Example(
            before="SELECT from_json(js, 'a INT, b STRING').a FROM t",
            after="SELECT TRY_CAST(JSON_VALUE(js, '$.a') AS INT) FROM t",
        ),
        Example(
            before="SELECT from_json(js, 'a INT, b STRING').b FROM t",
            after="SELECT COALESCE(JSON_VALUE(js, '$.b'), JSON_QUERY(js, '$.b')) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Dot)
        call = node.this
        if not isinstance(call, exp.FromJson) or not isinstance(node.expression, exp.Identifier):
            return None
        field = node.expression.name
        kind = _field_type(call, field)
        if not isinstance(kind, exp.DataType) or kind.this in _STRUCTURED:
            ctx.report(
                node,
                f"from_json(...).{field}: the field's type is not a scalar of a literal schema",
                severity=Severity.ERROR,
                suggestion="read nested values with JSON_QUERY(js, '$.path') or JSON_VALUE per scalar field",
            )
            return None
        return _json_value(call.this, exp.Literal.string(f"$.{field}"), kind)
