"""Result types of Flink functions, for sqlglot's type annotation in the Flink dialect.

The sink tables shiftleft writes declare the query's column types (``annotate_types``); a
function sqlglot does not know types as UNKNOWN and the sink falls back to STRING.  This adds
what Flink's built-ins return, like sqlglot's own ``sqlglot/typing/<dialect>.py`` modules.

https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/functions/systemfunctions/
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from shiftleft.dialects.flink_parser import JsonQuery
from shiftleft.tree import find_all
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
    # JSON_QUERY(js, path RETURNING ARRAY<STRING>): its RETURNING type (else the sink declared
    # a STRING, which the planner refused for the query's ARRAY)
    JsonQuery: {"annotator": lambda self, e: self._set_type(e, e.args.get("returning"))},
    exp.Split: {
        "annotator": lambda self, e: self._set_type(
            e, exp.DataType.build("ARRAY<STRING>", dialect="flink")
        )
    },
}


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

    With ``memo`` (a rule context's per-statement memo), the statement is annotated once for
    all the nodes of ``node``'s class it holds at that time: each keeps its counterpart while
    rules rewrite around it (a rule typing one IF's NULL branch does not annotate the whole
    statement again for the next IF: that was quadratic in the IFs of a statement), and the
    one annotation serves every class of :data:`_COUNTERPART_KINDS`.  A node made after the
    annotation (or of another statement root) annotates again.
    """
    root = node.root()
    key = ("inferred-counterpart", id(root), id(schema), dialect)
    kept = memo.get(key) if memo is not None else None
    if kept is None or kept[0] is not root or kept[1].get(id(node), (None,))[0] is not node:
        kinds = (*_COUNTERPART_KINDS, type(node))
        copy = _annotated(root, schema, dialect)
        kept = (root, _pairs(find_all(root, kinds), find_all(copy, kinds) if copy is not None else []))
        if memo is not None:
            memo[key] = kept
    return kept[1][id(node)][1]


#: the classes rules ask counterparts of (one annotation of a statement serves them all)
_COUNTERPART_KINDS = (exp.If, exp.SetOperation, exp.Values)


def _pairs(originals: list[exp.Expr], twins: list[exp.Expr]) -> dict[int, tuple[exp.Expr, exp.Expr | None]]:
    """id(original) -> (original, its counterpart): the n-th node of a class among the
    originals with the n-th of that class among the twins (None for every node of a class
    whose counts differ: the copy's shape differs there)."""
    by_class: dict[type[exp.Expr], tuple[list[exp.Expr], list[exp.Expr]]] = {}
    for side, nodes in enumerate((originals, twins)):
        for n in nodes:
            by_class.setdefault(type(n), ([], []))[side].append(n)
    pairs: dict[int, tuple[exp.Expr, exp.Expr | None]] = {}
    for mine, theirs in by_class.values():
        matched: list[exp.Expr | None] = list(theirs) if len(theirs) == len(mine) else [None] * len(mine)
        pairs.update((id(o), (o, t)) for o, t in zip(mine, matched))
    return pairs


def known_type(node: exp.Expr) -> exp.DataType | None:
    """The annotated type of ``node`` when it is a real type (not UNKNOWN / NULL, nor an ARRAY
    or MAP without element types, which Flink cannot declare)."""
    kind = node.type
    if kind is None or kind.this in (exp.DType.UNKNOWN, exp.DType.NULL):
        return None
    if kind.this in (exp.DType.ARRAY, exp.DType.MAP) and not kind.expressions:
        return None
    return kind


def typed_null(kind: exp.DataType) -> exp.Cast:
    """``CAST(NULL AS kind)``: a NULL Flink can type."""
    return exp.Cast(this=exp.Null(), to=kind.copy())
