"""``date + n`` / ``date - n`` (days), which Spark and DuckDB accept and Flink rejects."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import DATE_TYPES, INTEGER_TYPES
from shiftleft.sqlglot_objects import data_type


class DatePlusDays(Rule):
    """Spark's ``d + n`` and ``d - n`` on a DATE ``d`` and an integer ``n`` add or subtract ``n``
    days (``date_add`` / ``date_sub``; DuckDB too).  Flink accepts only a DATE plus an
    INTERVAL: ``d + 5`` is "Cannot apply '+' to arguments of type '<DATE> + <INTEGER>'".  A
    literal becomes ``d + INTERVAL '5' DAY``; another integer expression becomes
    ``TIMESTAMPADD(DAY, n, d)``.  The rule needs to know that ``d`` is a DATE (a CAST, a DATE
    literal, ``schema=``, or a function whose value is a DATE: ``current_date()``, ``to_date``,
    ``make_date``, ``last_day``, a ``date_add`` already translated); found by the TPC-DS
    verification (q72).
    """

    id = "SL3008"
    name = "date-plus-days"
    title = "date + n days becomes date + INTERVAL 'n' DAY (or TIMESTAMPADD)"
    node_types = (exp.Add, exp.Sub)
    examples = (
        Example(before="SELECT d + 5 FROM t", after="SELECT d + INTERVAL '5' DAY FROM t", types={"t": {"d": "DATE"}}),
        Example(before="SELECT d - 2 FROM t", after="SELECT d - INTERVAL '2' DAY FROM t", types={"t": {"d": "DATE"}}),
        Example(
            before="SELECT 7 + CAST(s AS DATE) FROM t",
            after="SELECT TRY_CAST(s AS DATE) + INTERVAL '7' DAY FROM t",
        ),
        Example(
            before="SELECT d + n FROM t",
            after="SELECT TIMESTAMPADD(DAY, n, d) FROM t",
            types={"t": {"d": "DATE", "n": "INT"}},
        ),
        Example(before="SELECT current_date() - 1 FROM t", after="SELECT CURRENT_DATE - INTERVAL '1' DAY FROM t"),
        Example(
            before="SELECT to_date(s) + n FROM t",
            after="SELECT TIMESTAMPADD(DAY, n, TRY_CAST(s AS DATE)) FROM t",
            types={"t": {"s": "STRING", "n": "INT"}},
        ),
        Example(
            before="SELECT date_add(d, 3) - 1 FROM t",
            after="SELECT TIMESTAMPADD(DAY, 3, CAST(d AS DATE)) - INTERVAL '1' DAY FROM t",
            types={"t": {"d": "DATE"}},
        ),
        Example(before="SELECT a + 5 FROM t", after="SELECT a + 5 FROM t", types={"t": {"a": "INT"}}),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Add, exp.Sub))
        left, right = node.this, node.expression
        if ctx.declared_as(left, DATE_TYPES):
            date, days = left, right
        elif isinstance(node, exp.Add) and ctx.declared_as(right, DATE_TYPES):
            date, days = right, left
        else:
            return None
        if isinstance(days, exp.Literal) and days.is_int:
            interval = exp.Interval(this=exp.Literal.string(days.this), unit=exp.var("DAY"))
            return type(node)(this=date.copy(), expression=interval)
        if not ctx.declared_as(days, INTEGER_TYPES):
            return None
        amount = days.copy() if isinstance(node, exp.Add) else exp.Neg(this=exp.Paren(this=days.copy()))
        return exp.Anonymous(this="TIMESTAMPADD", expressions=[exp.var("DAY"), amount, date.copy()])


_TIME_UNITS = frozenset({"HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"})


def _time_of_day_interval(node: exp.Expr) -> bool:
    """True for an interval literal that counts hours, minutes or seconds (``INTERVAL 2 HOURS``,
    ``INTERVAL '1 02:00' DAY TO MINUTE``)."""
    if not isinstance(node, exp.Interval):
        return False
    unit = node.args.get("unit")
    last = unit.expression if isinstance(unit, exp.IntervalSpan) else unit
    return isinstance(last, exp.Var) and last.name.upper().rstrip("S") in _TIME_UNITS


class DatePlusTimeInterval(Rule):
    """Spark's ``d + INTERVAL 2 HOURS`` on a DATE ``d`` is a TIMESTAMP (``2020-01-01 02:00:00``);
    Flink keeps the DATE and drops the hours (``DATE '2020-01-01' + INTERVAL '2' HOUR`` is
    ``2020-01-01``, ``- INTERVAL '90' MINUTE`` too, where Spark gives ``2019-12-31 22:30:00``):
    the same query plans and gives other values.  The rule casts the DATE to TIMESTAMP when the
    interval counts hours, minutes or seconds; whole days, months and years keep the DATE, as
    in Spark.  The DATE must be known (a CAST, a DATE literal, ``schema=``, ``current_date()``).
    """

    id = "SL3041"
    name = "date-plus-time-interval"
    title = "DATE +/- an interval of hours, minutes or seconds is computed on a TIMESTAMP, as in Spark"
    node_types = (exp.Add, exp.Sub)
    examples = (
        Example(
            before="SELECT d + INTERVAL 2 HOURS FROM t",
            after="SELECT CAST(d AS TIMESTAMP) + INTERVAL '2' HOUR FROM t",
            types={"t": {"d": "DATE"}},
        ),
        Example(
            before="SELECT current_date() - INTERVAL 90 MINUTES FROM t",
            after="SELECT CAST(CURRENT_DATE AS TIMESTAMP) - INTERVAL '90' MINUTE FROM t",
        ),
        Example(
            before="SELECT d + INTERVAL 1 DAY FROM t",
            after="SELECT d + INTERVAL '1' DAY FROM t",
            types={"t": {"d": "DATE"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Add, exp.Sub))
        left, right = node.this, node.expression
        if _time_of_day_interval(right) and ctx.declared_as(left, DATE_TYPES):
            node.set("this", exp.Cast(this=left.copy(), to=data_type("TIMESTAMP")))
        elif isinstance(node, exp.Add) and _time_of_day_interval(left) and ctx.declared_as(right, DATE_TYPES):
            node.set("expression", exp.Cast(this=right.copy(), to=data_type("TIMESTAMP")))
        else:
            return None
        return node


class DateArithmeticWithoutFlinkForm(Rule):
    """Date arithmetic whose Spark result has no Flink form: ``d1 - d2`` of two DATEs (Spark:
    an ``INTERVAL DAY`` of the days between them; Flink: "Cannot apply '-' to arguments of
    type '<DATE> - <DATE>'"), a bare NULL added to or subtracted from a date (Spark types
    the NULL result as a TIMESTAMP or a day interval; Flink: "Illegal use of 'NULL'"), and a
    string minus an interval (Spark casts the string to a timestamp and gives a STRING back).
    Reported with the Flink spellings of what is usually meant."""

    id = "SL1127"
    name = "date-arithmetic-without-flink-form"
    title = "DATE - DATE, date +/- NULL, string - interval: Spark's result has no Flink form"
    phase = "check"
    node_types = (exp.Add, exp.Sub)
    examples = (
        Example(
            before="SELECT date '2001-10-01' - date '2001-09-28'",
            after="SELECT CAST('2001-10-01' AS DATE) - CAST('2001-09-28' AS DATE)",
            diagnoses=True,
        ),
        Example(before="SELECT null - date '2019-10-06'", after="SELECT NULL - CAST('2019-10-06' AS DATE)", diagnoses=True),
        Example(before="SELECT '2011-11-11' - interval '2' day", after="SELECT '2011-11-11' - INTERVAL '2' DAY", diagnoses=True),
        Example(before="SELECT a - 1 FROM t", after="SELECT a - 1 FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Add, exp.Sub))
        left, right = node.this, node.expression
        dates = [ctx.declared_as(side, DATE_TYPES) for side in (left, right)]
        nulls = [isinstance(side, exp.Null) for side in (left, right)]
        if isinstance(node, exp.Sub) and all(dates):
            what, suggestion = "DATE - DATE (Spark: an interval of days)", "TIMESTAMPDIFF(DAY, d2, d1) gives the days as an INT"
        elif any(nulls) and any(dates):
            what, suggestion = "a bare NULL added to or subtracted from a date", "CAST(NULL AS DATE) if a NULL date is meant"
        elif isinstance(right, exp.Interval) and isinstance(left, exp.Literal) and left.is_string:
            what, suggestion = "a string minus an interval (Spark: a STRING)", "CAST the string to TIMESTAMP first"
        else:
            return None
        ctx.report(node, f"{what} has no Flink form", severity=Severity.ERROR, suggestion=suggestion)
        return None
