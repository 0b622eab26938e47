"""Comparisons of DATE / TIMESTAMP values with strings (and with each other), typed explicitly."""

from __future__ import annotations

import datetime as dt
import re

from sqlglot import exp

from shiftleft.models import Mode
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import DATE_TYPES, TEXT_TYPES, TIMESTAMP_TYPES
from shiftleft.sqlglot_objects import data_type

# Spark's string -> DATE parse: yyyy, yyyy-[m]m, yyyy-[m]m-[d]d, then anything after ' ' or 'T'
_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T].*)?)?)?\s*", re.S)
# Spark's string -> TIMESTAMP parse, without a zone: date part as above, then
# [h]h[:[m]m[:[s]s[.fraction]]] after ' ' or 'T'
_TIMESTAMP = re.compile(
    r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?)?)?)?\s*"
)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ)


def spark_date(text: str) -> dt.date | None:
    """The DATE Spark's cast reads from ``text``; None when Spark's cast gives NULL / raises."""
    m = _DATE.fullmatch(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


def spark_timestamp(text: str) -> dt.datetime | None:
    """The TIMESTAMP Spark's cast reads from ``text`` (no time zone part); None otherwise."""
    m = _TIMESTAMP.fullmatch(text)
    if not m:
        return None
    fraction = (m[7] or "")[:6].ljust(6, "0")
    try:
        return dt.datetime(int(m[1]), int(m[2] or 1), int(m[3] or 1), int(m[4] or 0), int(m[5] or 0),
                           int(m[6] or 0), int(fraction))
    except ValueError:
        return None


def _kind(node: exp.Expr, ctx: RuleContext) -> str | None:
    if isinstance(node, exp.Literal):  # a number is never a date, a timestamp or a string
        return "literal" if node.is_string else None
    declared = ctx.declared_type(node)
    if declared is None:
        return None
    if declared.this in DATE_TYPES:
        return "date"
    if declared.this in TIMESTAMP_TYPES:
        return "timestamp"
    if declared.this in TEXT_TYPES:
        return "string"
    return None


def _typed(node: exp.Expr, to: str) -> exp.Expr:
    """``node`` (a string literal or string column) as a ``to`` (DATE / TIMESTAMP) value."""
    if isinstance(node, exp.Literal):
        if to == "DATE":
            value = spark_date(node.this)
            if value is not None:
                return exp.Cast(this=exp.Literal.string(value.isoformat()), to=data_type("DATE"))
        else:
            stamp = spark_timestamp(node.this)
            if stamp is not None:
                text = stamp.isoformat(sep=" ", timespec="microseconds" if stamp.microsecond else "seconds")
                return exp.Cast(this=exp.Literal.string(text), to=data_type("TIMESTAMP"))
    return exp.TryCast(this=node.copy(), to=data_type(to), safe=True)


class TemporalStringComparison(Rule):
    """Spark compares a DATE with a string by casting the string to DATE, a TIMESTAMP with a
    string by casting it to TIMESTAMP, and a DATE with a TIMESTAMP by widening the DATE.
    Flink casts a string *literal* implicitly but with a narrower parser: ``d = '2020'``,
    ``ts > '2020-01-01 9:00'``, ``ts = '2020-01-01T10:00:00'`` or ``ts = '2020-01'`` fail at run
    time although Spark reads them (as 2020-01-01, 09:00, ...), and a DATE compared with a
    TIMESTAMP is rejected by the planner.  The rule types the comparison explicitly: a string
    literal becomes the DATE / TIMESTAMP literal Spark reads from it (Spark's own parse, so
    the value is exact), a string column a ``TRY_CAST`` (NULL where Spark's cast gives NULL;
    Spark also reads forms Flink's cast does not, such as ``'2020'`` or a ``T`` separator:
    reported as a warning; Flink's TIMESTAMP cast also clamps an impossible day such as
    ``'2023-02-29'`` to the month's last day where Spark gives NULL), a DATE facing a TIMESTAMP a ``CAST(d AS TIMESTAMP)``.  A literal
    Spark cannot read becomes ``TRY_CAST`` (NULL; Spark raises under ANSI).  Applies to
    ``= <> < <= > >= <=>``, ``BETWEEN`` and ``IN`` when a side's type is known (a CAST, a
    typed literal, or a schema column).
    """

    id = "SL3016"
    name = "temporal-string-comparison"
    title = "string <-> DATE / TIMESTAMP comparisons get explicit casts (Spark's coercion)"
    node_types = (*_COMPARISONS, exp.Between, exp.In)
    examples = (
        Example(
            before="SELECT * FROM t WHERE d > '2020-01-01'",
            after="SELECT * FROM t WHERE d > CAST('2020-01-01' AS DATE)",
            types={"t": {"d": "DATE"}},
        ),
        Example(
            before="SELECT * FROM t WHERE ts BETWEEN '2020-01' AND '2020-02-01T10:00'",
            after="SELECT * FROM t WHERE ts BETWEEN CAST('2020-01-01 00:00:00' AS TIMESTAMP) "
            "AND CAST('2020-02-01 10:00:00' AS TIMESTAMP)",
            types={"t": {"ts": "TIMESTAMP"}},
        ),
        Example(
            before="SELECT * FROM t WHERE d = s",
            after="SELECT * FROM t WHERE d = TRY_CAST(s AS DATE)",
            types={"t": {"d": "DATE", "s": "STRING"}},
            diagnoses=True,
        ),
        Example(
            before="SELECT * FROM t WHERE d < ts",
            after="SELECT * FROM t WHERE CAST(d AS TIMESTAMP) < ts",
            types={"t": {"d": "DATE", "ts": "TIMESTAMP"}},
        ),
        Example(
            before="SELECT * FROM t WHERE d IN ('2020-01-01', '2020-1-2')",
            after="SELECT * FROM t WHERE d IN (CAST('2020-01-01' AS DATE), CAST('2020-01-02' AS DATE))",
            types={"t": {"d": "DATE"}},
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Between):
            keys = ["this", "low", "high"]
        elif isinstance(node, exp.In):
            if node.args.get("query") is not None or node.args.get("unnest") is not None:
                return None
            keys = ["this"] + [("expressions", k) for k in range(len(node.expressions))]  # type: ignore[list-item]
        else:
            keys = ["this", "expression"]
        sides = [(key, self._get(node, key)) for key in keys]
        kinds = [_kind(side, ctx) for _, side in sides]
        if "timestamp" in kinds:
            to = "TIMESTAMP"
        elif "date" in kinds:
            to = "DATE"
        else:
            return None
        changed = False
        for (key, side), kind in zip(sides, kinds):
            replacement: exp.Expr | None = None
            if kind in ("literal", "string"):
                replacement = _typed(side, to)
                if kind == "string":
                    ctx.report(
                        side,
                        f"{side.sql()} is compared with a {to}: cast with TRY_CAST; Spark's cast also "
                        f"reads forms Flink's does not ('2020', '2020-01', a 'T' separator), NULL here"
                        + (", and Flink clamps an impossible day ('2023-02-29' -> 2023-02-28)" if to == "TIMESTAMP" else ""),
                        suggestion=f"store the column as {to}, or normalize it to ISO text",
                    )
            elif kind == "date" and to == "TIMESTAMP":
                replacement = exp.Cast(this=side.copy(), to=data_type("TIMESTAMP"))
            if replacement is not None:
                self._set(node, key, replacement)
                changed = True
        return node if changed else None

    @staticmethod
    def _get(node: exp.Expr, key: str | tuple[str, int]) -> exp.Expr:
        if isinstance(key, tuple):
            return node.args[key[0]][key[1]]
        return node.args[key]

    @staticmethod
    def _set(node: exp.Expr, key: str | tuple[str, int], value: exp.Expr) -> None:
        if isinstance(key, tuple):
            items = list(node.args[key[0]])
            items[key[1]] = value
            node.set(key[0], items)
        else:
            node.set(key, value)
