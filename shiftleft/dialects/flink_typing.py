"""Result types of Flink functions, for sqlglot's type annotation in the Flink dialect.

The sink tables shiftleft writes declare the query's column types (``annotate_types``); a
function sqlglot does not know types as UNKNOWN and the sink falls back to STRING.  This adds
what Flink's built-ins return, like sqlglot's own ``sqlglot/typing/<dialect>.py`` modules.

https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/functions/systemfunctions/
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp
from sqlglot.typing import EXPRESSION_METADATA as BASE

if TYPE_CHECKING:
    from sqlglot.optimizer.annotate_types import TypeAnnotator

#: Flink functions sqlglot parses as anonymous calls, by name: their result type
ANONYMOUS_RESULTS: dict[str, str] = {
    "CARDINALITY": "INT",
    "JSON_VALUE": "STRING",
    "JSON_QUERY": "STRING",
    "UNIX_TIMESTAMP": "BIGINT",
    "TO_TIMESTAMP": "TIMESTAMP(3)",
    "TO_TIMESTAMP_LTZ": "TIMESTAMP_LTZ(3)",
    "TO_DATE": "DATE",
    "DATE_FORMAT": "STRING",
    "REGEXP": "BOOLEAN",
    "REGEXP_REPLACE": "STRING",
    "LPAD": "STRING",
    "RPAD": "STRING",
    "CHAR_LENGTH": "INT",
    "PROCTIME": "TIMESTAMP_LTZ(3)",
    "CURRENT_WATERMARK": "TIMESTAMP(3)",
    "SPLIT_INDEX": "STRING",
    "SPLIT": "ARRAY<STRING>",
    "FROM_UNIXTIME": "STRING",
}


def _anonymous(self: TypeAnnotator, expression: exp.Anonymous) -> exp.Expr:
    name = str(expression.name).upper()
    args = expression.expressions
    if name == "TIMESTAMPADD" and len(args) == 3:  # written by rules as a plain call
        unit = args[0].name.upper() if isinstance(args[0], (exp.Var, exp.Column)) else ""
        if args[2].is_type(exp.DType.DATE) and unit in _TIME_UNITS:
            return self._set_type(expression, exp.DType.TIMESTAMP)
        return self._set_type(expression, args[2].type)
    if name == "TIMESTAMPDIFF":
        return self._set_type(expression, exp.DType.INT)
    result = ANONYMOUS_RESULTS.get(name)
    if result is None:
        return self._set_type(expression, self.schema.get_udf_type(expression))
    return self._set_type(expression, exp.DataType.build(result, dialect="flink"))


def _bracket(self: TypeAnnotator, expression: exp.Bracket) -> exp.Expr:
    """``arr[i]`` is an element of ``arr``, ``m[k]`` a value of ``m``."""
    container = expression.this.type
    if container is not None and container.is_type(exp.DType.ARRAY, exp.DType.MAP):
        inner = container.expressions
        if inner:
            return self._set_type(expression, inner[-1])
    return self._set_type(expression, exp.DType.UNKNOWN)


def _floor_ceil(original: Any) -> Any:
    """``FLOOR(ts TO DAY)`` is a timestamp of the type of ``ts``; plain FLOOR is numeric."""

    def annotate(self: TypeAnnotator, expression: exp.Expr) -> exp.Expr:
        if expression.args.get("to") is not None:
            return self._set_type(expression, expression.this.type)
        return original(self, expression)

    return annotate


_TIME_UNITS = {"HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND"}


def _timestamp_add(self: TypeAnnotator, expression: exp.TimestampAdd) -> exp.Expr:
    """``TIMESTAMPADD(unit, n, t)`` has the type of ``t`` (a DATE stays a DATE), except that a
    DATE plus a time unit is a TIMESTAMP (Calcite's rule)."""
    this = expression.this
    unit = str(expression.unit.name if expression.unit is not None else "").upper()
    if this.is_type(exp.DType.DATE) and unit in _TIME_UNITS:
        return self._set_type(expression, exp.DType.TIMESTAMP)
    return self._set_type(expression, this.type)


#: functions picking a part of a date or time (YEAR(d), EXTRACT(DAY FROM ts), ...)
_DATE_PARTS = (
    exp.Year, exp.Month, exp.Day, exp.DayOfWeek, exp.DayOfMonth, exp.DayOfYear, exp.Quarter,
    exp.Week, exp.WeekOfYear, exp.Hour, exp.Minute, exp.Second, exp.Extract,
)  # fmt: skip

EXPRESSION_METADATA: dict[type[exp.Expr], dict[str, Any]] = {
    **BASE,
    exp.Anonymous: {"annotator": _anonymous},
    exp.Floor: {"annotator": _floor_ceil(BASE[exp.Floor]["annotator"])},
    exp.Ceil: {"annotator": _floor_ceil(BASE[exp.Ceil]["annotator"])},
    exp.TimestampAdd: {"annotator": _timestamp_add},
    exp.RegexpExtract: {"returns": exp.DType.VARCHAR},
    # date parts: Flink returns BIGINT for every one of them (asked of the 2.3 planner)
    **{part: {"returns": exp.DType.BIGINT} for part in _DATE_PARTS},
    exp.Pad: {"returns": exp.DType.VARCHAR},
    exp.Reverse: {"returns": exp.DType.VARCHAR},
    exp.Bracket: {"annotator": _bracket},
    exp.Split: {
        "annotator": lambda self, e: self._set_type(
            e, exp.DataType.build("ARRAY<STRING>", dialect="flink")
        )
    },
}


def _shape(root: exp.Expr, node: exp.Expr) -> tuple[list[tuple[Any, ...]], int | None, int]:
    """An exact structural fingerprint of the tree under ``root`` (every node's class, comments
    and non-node arguments, case kept, with the arguments' child counts), and ``node``'s position
    among the nodes of its class with their number, in the order of ``find_all`` (breadth first).

    Two trees with equal fingerprints qualify and annotate alike; one walk, cheaper than one
    annotation.
    """
    kind = type(node)
    out: list[tuple[Any, ...]] = []
    index: int | None = None
    count = 0
    queue: deque[exp.Expr] = deque([root])
    while queue:
        current = queue.popleft()
        if isinstance(current, kind):
            if current is node:
                index = count
            count += 1
        row: list[Any] = [type(current), tuple(current.comments or ())]
        for key, value in current.args.items():
            if isinstance(value, exp.Expr):
                row.append((key, 1))
                queue.append(value)
            elif isinstance(value, list):
                row.append((key, len(value)))
                for item in value:
                    if isinstance(item, exp.Expr):
                        queue.append(item)
                    else:
                        row.append(("", item))
            else:
                row.append((key, value))
        out.append(tuple(row))
    return out, index, count


def _annotated(
    root: exp.Expr, schema: Mapping[str, Mapping[str, str]], dialect: str
) -> exp.Expr | None:
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    try:
        copy = qualify(root.copy(), schema=dict(schema) or None, dialect=dialect,
                       validate_qualify_columns=False)
        return annotate_types(copy, schema=dict(schema) or None, dialect=dialect)
    except Exception:  # noqa: BLE001 - inference is best effort; callers report when unknown
        return None


def inferred_counterpart(
    node: exp.Expr,
    schema: Mapping[str, Mapping[str, str]],
    dialect: str,
    memo: dict[Any, Any] | None = None,
) -> exp.Expr | None:
    """``node``'s counterpart in a qualified, type-annotated copy of its statement, or None.

    Used where a rule needs the type of an expression that no CAST or schema column states
    directly (a column of a CTE or subquery, an aggregate).  ``node`` must be of a class that
    qualification neither adds nor removes (a set operation, IF, VALUES): the counterpart is
    found by its position among the nodes of that class.

    With ``memo`` (a rule context's per-statement memo), the annotated copy is kept and reused
    while the statement keeps the same structure (rules rewrite in place: any change to the
    tree, its fingerprint compared exactly, annotates again); the copy is read, never changed.
    """
    root = node.root()
    kind = type(node)
    shape, index, count = _shape(root, node)
    if index is None:
        return None
    key = ("inferred-counterpart", id(root), id(schema), dialect)
    kept = memo.get(key) if memo is not None else None
    if kept is None or kept[0] is not root or kept[1] != shape:
        kept = (root, shape, _annotated(root, schema, dialect), {})
        if memo is not None:
            memo[key] = kept
    copy: exp.Expr | None = kept[2]
    by_kind: dict[type[exp.Expr], list[exp.Expr]] = kept[3]
    if copy is None:
        return None
    found = by_kind.get(kind)
    if found is None:
        found = by_kind[kind] = list(copy.find_all(kind))
    if len(found) != count:
        return None  # the copy's shape differs: positions do not correspond
    return found[index]


def known_type(node: exp.Expr) -> exp.DataType | None:
    """The annotated type of ``node`` when it is a real type (not UNKNOWN / NULL)."""
    kind = node.type
    if kind is None or kind.this in (exp.DType.UNKNOWN, exp.DType.NULL):
        return None
    return kind


def typed_null(kind: exp.DataType) -> exp.Cast:
    """``CAST(NULL AS kind)``: a NULL Flink can type."""
    return exp.Cast(this=exp.Null(), to=kind.copy())
