"""Snowflake / Databricks style date functions with a unit argument: DATEDIFF(day, a, b),
DATEADD(day, n, d), DATE_PART('year', d) (seen in dbt projects read as spark / snowflake /
databricks)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type

_UNITS = {
    "YEAR": "YEAR", "YEARS": "YEAR", "YYYY": "YEAR", "YY": "YEAR", "Y": "YEAR",
    "QUARTER": "QUARTER", "QUARTERS": "QUARTER", "Q": "QUARTER",
    "MONTH": "MONTH", "MONTHS": "MONTH", "MM": "MONTH", "MON": "MONTH",
    "DAY": "DAY", "DAYS": "DAY", "DD": "DAY", "D": "DAY",
    "HOUR": "HOUR", "HOURS": "HOUR", "HH": "HOUR",
    "MINUTE": "MINUTE", "MINUTES": "MINUTE", "MI": "MINUTE",
    "SECOND": "SECOND", "SECONDS": "SECOND", "SS": "SECOND",
}


def _unit(node: exp.Expr | None, units: dict[str, str] | None = None) -> str | None:
    """The Flink unit ``node`` names (``units``: the map to read it with, else :data:`_UNITS`)."""
    if isinstance(node, (exp.Var, exp.Literal, exp.Column, exp.Identifier)):
        return (units or _UNITS).get(node.name.upper())
    return None


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _report_unit(node: exp.Expr, ctx: RuleContext, what: str) -> None:
    unit = node.args.get("unit") or node.this
    ctx.report(
        node,
        f"{what}: the unit {unit.sql(ctx.read) if unit is not None else '?'} has no exact Flink form",
        severity=Severity.ERROR,
        suggestion="use YEAR, QUARTER, MONTH, DAY, HOUR, MINUTE or SECOND",
    )


class DateDiffWithUnit(Rule):
    """``DATEDIFF(unit, a, b)``.  Snowflake counts the unit *boundaries* crossed from a to b
    (DATEDIFF(month, '2024-01-31', '2024-02-01') is 1); Flink's TIMESTAMPDIFF counts complete
    units (0), so both ends are first truncated to the unit (``FLOOR(x TO unit)``, a DATE for
    DAY).  Databricks' three-argument datediff is timestampdiff (complete units) and maps to
    TIMESTAMPDIFF directly.  WEEK (Snowflake's week start is a session parameter) and other
    units are reported.
    """

    id = "SL1063"
    name = "datediff-unit-to-timestampdiff"
    title = "DATEDIFF(unit, a, b) becomes TIMESTAMPDIFF(unit, ...), counting boundaries for Snowflake"
    node_types = (exp.DateDiff,)
    examples = (
        Example(
            before="SELECT DATEDIFF(day, d, d2) FROM t",
            after="SELECT TIMESTAMPDIFF(DAY, CAST(d AS DATE), CAST(d2 AS DATE)) FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT DATEDIFF(month, ts, ts2) FROM t",
            after="SELECT TIMESTAMPDIFF(MONTH, FLOOR(CAST(ts AS TIMESTAMP) TO MONTH), FLOOR(CAST(ts2 AS TIMESTAMP) TO MONTH)) FROM t",
            read="snowflake",
        ),
        Example(
            before="SELECT DATEDIFF(hour, ts, ts2) FROM t",
            after="SELECT TIMESTAMPDIFF(HOUR, ts, ts2) FROM t",
            read="databricks",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.DateDiff)
        if node.args.get("unit") is None:
            return None  # Spark's datediff(end, start): SL1010
        unit = _unit(node.args.get("unit"))
        if unit is None:
            _report_unit(node, ctx, "DATEDIFF")
            return None
        start, end = node.expression.copy(), node.this.copy()
        if node.args.get("date_part_boundary"):
            if unit == "DAY":
                start = exp.Cast(this=start, to=data_type("DATE"))
                end = exp.Cast(this=end, to=data_type("DATE"))
            else:
                start, end = (
                    exp.Floor(this=exp.Cast(this=x, to=data_type("TIMESTAMP")), to=exp.var(unit))
                    for x in (start, end)
                )
        return _fn("TIMESTAMPDIFF", exp.var(unit), start, end)


#: the units Flink 2.3's EXTRACT plans (checked); ISOWEEK, for one, fails with "expected
#: non-null operand 0"
_EXTRACT_UNITS = frozenset({
    "MILLENNIUM", "CENTURY", "DECADE", "YEAR", "ISOYEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DOY",
    "DAYOFYEAR", "DOW", "DAYOFWEEK", "ISODOW", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
    "MICROSECOND", "NANOSECOND", "EPOCH",
})

#: units DATEADD adds exactly (a week is 7 days whatever day it starts on)
_ADD_UNITS = {**_UNITS, "WEEK": "WEEK", "WEEKS": "WEEK", "W": "WEEK", "WK": "WEEK",
              "MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND", "MS": "MILLISECOND"}


#: units below a day: DATEADD of one to a string literal gives a TIMESTAMP
_TIME_UNITS = frozenset({"HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND"})


class DateAddWithUnit(Rule):
    """Snowflake's ``DATEADD(unit, n, d)`` (also ``TIMEADD`` and ``TIMESTAMPADD``, its
    synonyms, and Databricks' ``dateadd(unit, n, ts)``) adds n units: Flink's
    ``TIMESTAMPADD(unit, n, d)``, which clamps to the end of a shorter month as both do and
    keeps a DATE a DATE for day-or-larger units.  WEEK adds 7 days, which does not depend on
    the week's first day.  A string literal as the date with a unit below a day (the epoch
    idiom ``DATEADD(ms, n, '1970-01-01')``) is a TIMESTAMP in Snowflake: it becomes
    ``CAST('1970-01-01' AS TIMESTAMP)`` (Flink's TIMESTAMPADD takes no string); with a unit of
    a day or more, whether the result is a DATE or a TIMESTAMP is not told here: reported.
    """

    id = "SL1064"
    name = "dateadd-unit-to-timestampadd"
    title = "DATEADD / TIMEADD / TIMESTAMPADD(unit, n, d) become TIMESTAMPADD(unit, n, d)"
    node_types = (exp.DateAdd, exp.TimestampAdd, exp.TimeAdd)
    examples = (
        Example(before="SELECT DATEADD(day, 3, d) FROM t", after="SELECT TIMESTAMPADD(DAY, 3, d) FROM t", read="snowflake"),
        Example(before="SELECT DATEADD(month, -1, d) FROM t", after="SELECT TIMESTAMPADD(MONTH, -1, d) FROM t", read="snowflake"),
        Example(
            before="SELECT TIMEADD(hour, 2, ts), TIMESTAMPADD(week, 1, d) FROM t", read="snowflake",
            after="SELECT TIMESTAMPADD(HOUR, 2, ts), TIMESTAMPADD(WEEK, 1, d) FROM t",
        ),
        Example(
            before="SELECT DATEADD(second, n, '1970-01-01') FROM t", read="snowflake",
            after="SELECT TIMESTAMPADD(SECOND, n, CAST('1970-01-01' AS TIMESTAMP)) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if node.args.get("unit") is None or ctx.read.lower() not in ("snowflake", "databricks"):
            return None
        unit = _unit(node.args.get("unit"), _ADD_UNITS)
        if unit is None:
            _report_unit(node, ctx, "DATEADD")
            return None
        date = node.this.copy()
        if isinstance(date, exp.Literal) and date.is_string:
            if unit not in _TIME_UNITS:
                ctx.report(
                    node,
                    f"DATEADD({unit.lower()}, ..., '{date.this}') adds to a string: Flink's "
                    "TIMESTAMPADD takes a DATE or TIMESTAMP only",
                    severity=Severity.ERROR,
                    suggestion=f"write the date as DATE '{date.this}' or TIMESTAMP '{date.this}'",
                )
            else:
                date = exp.Cast(this=date, to=data_type("TIMESTAMP"))
        return _fn("TIMESTAMPADD", exp.var(unit), node.expression.copy(), date)


#: BigQuery's EXTRACT parts that are values (of a type), not numbers
_VALUE_PARTS = {"DATE": "DATE", "DATETIME": "TIMESTAMP"}


class DatePartToExtract(Rule):
    """``DATE_PART('year', d)`` / ``DATE_PART(year, d)`` / ``datepart(...)`` become
    ``EXTRACT(YEAR FROM d)``; Flink takes the unit as a keyword, not a string.  Units whose
    numbering differs between engines (day of week, week) are reported.
    """

    id = "SL1065"
    name = "date-part-to-extract"
    title = "DATE_PART('unit', d) becomes EXTRACT(UNIT FROM d)"
    node_types = (exp.Extract, exp.Anonymous)
    examples = (
        Example(before="SELECT DATE_PART('year', d) FROM t", after="SELECT EXTRACT(YEAR FROM d) FROM t", read="snowflake"),
        Example(before="SELECT date_part('MONTH', d) FROM t", after="SELECT EXTRACT(MONTH FROM d) FROM t", read="databricks"),
        Example(before="SELECT DATE_PART(day, d) FROM t", after="SELECT EXTRACT(DAY FROM d) FROM t", read="snowflake"),
        Example(before="SELECT EXTRACT(DATE FROM ts) AS d FROM t", after="SELECT CAST(ts AS DATE) AS d FROM t",
                read="bigquery"),
        Example(before="SELECT EXTRACT(DATETIME FROM ts) FROM t", after="SELECT CAST(ts AS TIMESTAMP) FROM t",
                read="bigquery"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Anonymous):
            if node.name.upper() not in ("DATE_PART", "DATEPART") or len(node.expressions) != 2:
                return None
            raw, value = node.expressions
        else:
            raw, value = node.this, node.expression
            cast = _VALUE_PARTS.get(raw.name.upper()) if isinstance(raw, exp.Var) else None
            if cast is not None:
                return exp.Cast(this=value.copy(), to=exp.DataType.build(cast))
            if isinstance(raw, exp.Var) and raw.name.isupper() and raw.name not in _EXTRACT_UNITS:
                _report_unit(node, ctx, "EXTRACT")  # EXTRACT(ISOWEEK FROM d): Flink fails to plan it
                return None
            if not isinstance(raw, (exp.Literal, exp.Var)) or raw.name.isupper():
                return None  # EXTRACT(YEAR FROM d) is already Flink
        unit = _unit(raw)
        if unit is None:
            _report_unit(node, ctx, "DATE_PART")
            return None
        return exp.Extract(this=exp.var(unit), expression=value.copy())
