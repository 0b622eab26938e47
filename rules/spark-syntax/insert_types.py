"""String literals inserted into DATE / TIMESTAMP columns, typed as Spark's store assignment does."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.rewrite.context import DATE_TYPES, TIMESTAMP_TYPES
from shiftleft.sqlglot_objects import data_type

T = pack_module(__file__, "temporal_compare")  # Spark's string -> DATE / TIMESTAMP parse


def _target(node: exp.Insert, ctx: RuleContext) -> list[exp.DataType | None] | None:
    """The declared type of each inserted position (None where not known), from ``schema=`` or
    an earlier ``CREATE TABLE`` of the script; None when the table's columns are not known."""
    target = node.this
    names = [i.name for i in target.expressions] if isinstance(target, exp.Schema) else None
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table, exp.Table):
        return None
    columns = next((cols for t, cols in ctx.schema.items() if t.lower() == table.name.lower()), None)
    if not columns:
        return None
    by_name = {c.lower(): ty for c, ty in columns.items()}
    types = [by_name.get(n.lower()) for n in names] if names is not None else list(columns.values())
    return [data_type(text, ctx.read) if text else None for text in types]


def _is_null(node: exp.Expr) -> bool:
    """NULL, or a NULL a rule typed already (``CAST(NULL AS STRING)``)."""
    while isinstance(node, (exp.Cast, exp.TryCast)):
        node = node.this
    return isinstance(node, exp.Null)


def _rows(query: exp.Expr) -> list[list[exp.Expr]]:
    """The value expressions of each row a VALUES list or a plain SELECT inserts."""
    if isinstance(query, exp.Values):
        return [list(row.expressions) for row in query.expressions if isinstance(row, exp.Tuple)]
    if isinstance(query, exp.Select):
        return [[p.this if isinstance(p, exp.Alias) else p for p in query.expressions]]
    return []


class InsertedStringTypes(Rule):
    """``INSERT INTO t (d, ts) VALUES ('2020-01-15', '2020-01-15 10:30:00')`` into a DATE and a
    TIMESTAMP column: Spark's legacy store assignment (``spark.sql.storeAssignmentPolicy=LEGACY``)
    casts the strings; its default ANSI policy rejects them ("Cannot safely cast 'd' STRING to
    DATE", checked on Spark 4).  Flink rejects them too: "Column types of query result and sink
    ... do not match" (CHAR(10) is not DATE).  Scripts that insert such rows ran with the legacy
    policy, so the rule writes each string literal as the DATE / TIMESTAMP value Spark's cast
    reads from it (Spark's own parse: ``'2020-1-2'`` is 2020-01-02), and warns once per
    statement; a string Spark's cast cannot read is a NULL of the column's type, as in Spark
    (Flink's own cast would clamp ``'2020-02-30'`` to 2020-02-29).  A NULL gets its column's type
    (Flink has no untyped NULL; another rule would type it from the other rows or as STRING,
    which the sink column may not take).  The columns' types come from
    ``schema=`` or a ``CREATE TABLE`` earlier in the script.
    """

    id = "SL3040"
    name = "inserted-string-types"
    title = "Strings and NULLs inserted into typed columns get the column types (Spark store assignment)"
    # the inserted query, before SL3013 types the NULLs of a VALUES list from its other rows
    node_types = (exp.Values, exp.Select)
    examples = (
        Example(
            before="INSERT INTO joined (a, ts) VALUES (1, '2020-1-2 10:30')",
            after="INSERT INTO joined (a, ts) VALUES (1, CAST('2020-01-02 10:30:00' AS TIMESTAMP))",
            types={"joined": {"a": "INT", "ts": "TIMESTAMP", "rts": "TIMESTAMP"}},
            diagnoses=True,
        ),
        Example(
            before="INSERT INTO joined SELECT a, '2020-01-01', ts FROM t",
            after="INSERT INTO joined SELECT a, CAST('2020-01-01 00:00:00' AS TIMESTAMP), ts FROM t",
            types={"joined": {"a": "INT", "ts": "TIMESTAMP", "rts": "TIMESTAMP"}, "t": {"a": "INT", "ts": "TIMESTAMP"}},
            diagnoses=True,
        ),
        Example(
            before="INSERT INTO joined VALUES (1, '2020-01-01', NULL), (NULL, NULL, '2020-01-02 10:00:00')",
            after="INSERT INTO joined VALUES (1, CAST('2020-01-01 00:00:00' AS TIMESTAMP), CAST(NULL AS TIMESTAMP_LTZ)), "
            "(CAST(NULL AS INT), CAST(NULL AS TIMESTAMP_LTZ), CAST('2020-01-02 10:00:00' AS TIMESTAMP))",
            types={"joined": {"a": "INT", "ts": "TIMESTAMP", "rts": "TIMESTAMP"}},
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        insert = node.parent
        if not isinstance(insert, exp.Insert) or insert.expression is not node:
            return None
        types = _target(insert, ctx)
        if not types or not any(t is not None for t in types):
            return None
        changed = cast_strings = False
        for row in _rows(node):
            for value, declared in zip(row, types):
                if declared is None:
                    continue
                if _is_null(value):  # Flink has no untyped NULL: the column's type
                    if not (isinstance(value, exp.Cast) and value.to == declared):
                        value.replace(exp.Cast(this=exp.Null(), to=declared.copy()))
                        changed = True
                    continue
                to = "DATE" if declared.this in DATE_TYPES else "TIMESTAMP" if declared.this in TIMESTAMP_TYPES else None
                if to is None or not isinstance(value, exp.Literal) or not value.is_string:
                    continue
                parsed = T.spark_date(value.this) if to == "DATE" else T.spark_timestamp(value.this)
                if parsed is None:  # Spark's cast gives NULL (Flink's TRY_CAST may not: '2020-02-30')
                    new: exp.Expr = exp.Cast(this=exp.Null(), to=data_type(to))
                else:
                    text = parsed.isoformat() if to == "DATE" else parsed.isoformat(
                        sep=" ", timespec="microseconds" if parsed.microsecond else "seconds")
                    new = exp.Cast(this=exp.Literal.string(text), to=data_type(to))
                if not cast_strings:
                    ctx.report(value, f"string {value.sql()} inserted into a {to} column: cast as Spark's legacy store "
                               "assignment casts it (Spark's default ANSI policy rejects the statement)",
                               suggestion=f"write {to} literals ({to} '...') in the source")
                cast_strings = True
                value.replace(new)
                changed = True
        return node if changed else None
