"""Interval literals whose leading field Flink's default precision cannot hold."""

from __future__ import annotations

import re

from sqlglot import exp, generator

#: the leading field of an interval literal ('-120', '100 2:03:04', '1000.5'): sign and digits
_INTERVAL_LEADING = re.compile(r"\s*([-+]?)0*(\d+)")
#: the most digits Flink 2.3 takes in an interval's leading field, by unit (checked on the
#: planner: DAY / HOUR / MINUTE / SECOND(4) fail, YEAR / MONTH(10) plan); two without a precision
_INTERVAL_MAX_PRECISION = {"DAY": 3, "HOUR": 3, "MINUTE": 3, "SECOND": 3, "YEAR": 10, "MONTH": 10}


def interval_with_precision(gen: generator.Generator, expression: exp.Interval) -> str | None:
    """Flink reads ``INTERVAL '120' DAY`` as DAY(2) and rejects it ("Interval field value 120
    exceeds precision of DAY(2) field"); Spark has no such limit.  A leading field of more
    than two digits gets its precision (``DAY(3)``), or, past Flink's largest precision, a
    whole number becomes ``n * INTERVAL '1' UNIT``.  None: nothing to change."""
    unit, text = expression.args.get("unit"), expression.this
    span = unit if isinstance(unit, exp.IntervalSpan) else None
    first = span.this if span is not None else unit
    match = _INTERVAL_LEADING.match(text.name) if isinstance(text, exp.Literal) else None
    if not isinstance(first, exp.Var) or match is None or len(match[2]) <= 2:
        return None
    name = gen.TIME_PART_SINGULARS.get(first.name.upper(), first.name.upper())
    limit = _INTERVAL_MAX_PRECISION.get(name)
    if limit is None:
        return None
    to = f" TO {gen.sql(span, 'expression')}" if span is not None else ""
    if len(match[2]) <= limit:
        return f"INTERVAL {gen.sql(text)} {name}({len(match[2])}){to}"
    if span is None and match.end() == len(text.name.rstrip()):
        return f"({match[1]}{match[2]} * INTERVAL '1' {name})"
    gen.unsupported(f"INTERVAL {gen.sql(text)} {name}{to}: Flink's {name} interval field holds at most {limit} digits")
    return None
