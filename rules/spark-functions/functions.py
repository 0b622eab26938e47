"""Spark function mappings that need more than a pattern: unit tables, unescaping, typing."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import DATE_TYPES, TEXT_TYPES, TIMESTAMP_TYPES
from shiftleft.rewrite.predicates import REGEX_META
from shiftleft.sqlglot_objects import data_type


def _default_unix_format() -> str:
    # The format the Spark reader fills in for unix_timestamp(x) ('yyyy-MM-dd HH:mm:ss'),
    # in sqlglot's normalized spelling.
    node = sqlglot.parse_one("unix_timestamp(x)", read="spark")
    return node.text("format")


_DEFAULT_UNIX_FORMAT = _default_unix_format()


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


_EMPTY = "CASE WHEN s = '' THEN ARRAY[CAST('' AS STRING)] ELSE "


class SplitLiteralDelimiter(Rule):
    """Spark's ``split(s, re)`` splits on a Java regular expression; Flink's ``SPLIT(s, d)``
    splits on a literal delimiter.  They agree when the pattern has no regex metacharacter, or
    is a single escaped character such as ``'\\\\.'`` or ``'\\\\|'`` (which becomes the plain
    delimiter ``'.'`` / ``'|'``); both keep trailing empty strings.  A pattern that matches
    exactly one of a set of literal characters (``'[,;]'``, ``',|;'``, ``'[.|]'``) splits like
    ``SPLIT`` on one of them after ``TRANSLATE`` maps the others to it: exact, since every
    match is one character and the pieces are the same.  Any other pattern (a quantifier such
    as ``'[,;]+'`` or ``'\\\\s+'``, a range, a column) cannot be translated exactly and is
    reported as an error, as is Spark's limit argument (but ``-1``, the default).
    ``split('', ',')`` is ``['']`` in Spark and ``[]`` in Flink: the empty string is a case of
    its own (found by the function differential test).
    """

    id = "SL1030"
    name = "split-literal-delimiter"
    title = "split(s, re) becomes SPLIT(s, delimiter) when the regex is a literal delimiter"
    node_types = (exp.RegexpSplit,)
    examples = (
        Example(before="SELECT split(s, ',') FROM t", after=f"SELECT {_EMPTY}SPLIT(s, ',') END FROM t"),
        Example(before="SELECT split(s, '\\\\.') FROM t", after=f"SELECT {_EMPTY}SPLIT(s, '.') END FROM t"),
        Example(before="SELECT split(s, '\\\\|') FROM t", after=f"SELECT {_EMPTY}SPLIT(s, '|') END FROM t"),
        Example(before="SELECT split(s, '[,;]') FROM t",
                after=f"SELECT {_EMPTY}SPLIT(TRANSLATE(s, ';', ','), ',') END FROM t"),
        Example(before="SELECT split(s, ',|;|\\\\.', -1) FROM t",
                after=f"SELECT {_EMPTY}SPLIT(TRANSLATE(s, ';.', ',,'), ',') END FROM t"),
        Example(
            before="SELECT split(s, '[,;]+') FROM t",
            after="SELECT REGEXP_SPLIT(s, '[,;]+') FROM t",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.RegexpSplit)
        pattern = node.expression
        limit = node.args.get("limit")
        no_limit = limit is None or (isinstance(limit, exp.Neg) and limit.this.name == "1")
        delimiter: str | None = None
        chars: list[str] | None = None
        if isinstance(pattern, exp.Literal) and pattern.is_string and no_limit:
            text = pattern.this
            if not REGEX_META.search(text):
                delimiter = text
            else:
                m = re.fullmatch(r"\\\\?([\\^$.|?*+()\[\]{}])", text)
                if m:
                    delimiter = m.group(1)
                else:
                    chars = _single_char_set(text)
        if chars:
            first = chars[0]
            rest = "".join(chars[1:])
            source = node.this.copy()
            if rest:
                source = _fn("TRANSLATE", source, exp.Literal.string(rest), exp.Literal.string(first * len(rest)))
            return _empty_string_split(node.this, _fn("SPLIT", source, exp.Literal.string(first)))
        if delimiter is None:
            ctx.report(
                node,
                f"split({node.this.sql(ctx.read)}, {pattern.sql(ctx.read)}"
                + (", ..." if not no_limit else "")
                + ") splits on a regular expression (or with a limit); Flink's SPLIT splits on a "
                "literal delimiter only",
                severity=Severity.ERROR,
                suggestion="when a character never occurs in the data, normalize the separators to it first, "
                "e.g. SPLIT(REGEXP_REPLACE(s, '<regex>', U&'\\0001'), U&'\\0001'); or write a UDF",
            )
            return None
        return _empty_string_split(node.this, _fn("SPLIT", node.this.copy(), exp.Literal.string(delimiter)))


def _empty_string_split(text: exp.Expr, split: exp.Expr) -> exp.Expr:
    """Spark splits '' into [''], Flink into []: ``CASE WHEN s = '' THEN [''] ELSE split END``."""
    empty = exp.Array(expressions=[exp.Cast(this=exp.Literal.string(""), to=data_type("STRING"))])
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=text.copy(), expression=exp.Literal.string("")), true=empty)],
                    default=split)


# one literal character of a regex: plain, or a punctuation character escaped with \\ (or \\\\)
_REGEX_CHAR = r"(?:\\\\?[^A-Za-z0-9\s]|[^\\\[\]^$.|?*+(){}\-])"
# inside a character class, metacharacters but \\ [ ] ^ - & are literal
_CLASS_CHAR = r"(?:\\\\?[^A-Za-z0-9\s]|[^\\\[\]^\-&])"


def _single_char_set(text: str) -> list[str] | None:
    """The characters of a regex that matches exactly one of a set of literal characters
    (``[,;]``, ``[.|]``, ``,|;``), or None."""
    body = None
    m = re.fullmatch(r"\[((?:%s)+)\]" % _CLASS_CHAR, text)
    if m:
        body = re.findall(_CLASS_CHAR, m.group(1))
    elif re.fullmatch(r"(?:%s)(?:\|(?:%s))+" % (_REGEX_CHAR, _REGEX_CHAR), text):
        body = re.findall(_REGEX_CHAR, text.replace("|", " ").replace("\\ ", "\\|").replace(" ", ""))
    if not body:
        return None
    chars = [c[-1] for c in body]
    return list(dict.fromkeys(chars))


_TRUNC_UNITS = {
    "YEAR": "YEAR", "YYYY": "YEAR", "YY": "YEAR",
    "QUARTER": "QUARTER",
    "MONTH": "MONTH", "MM": "MONTH", "MON": "MONTH",
    "WEEK": "WEEK",
    "DAY": "DAY", "DD": "DAY",
    "HOUR": "HOUR", "MINUTE": "MINUTE", "SECOND": "SECOND",
    "MILLISECOND": "MILLISECOND", "MICROSECOND": "MICROSECOND",
}


class DateTruncToFloor(Rule):
    """Spark's ``date_trunc(unit, ts)`` (and ``trunc(d, unit)``) truncates to the start of the
    unit; Flink's ``FLOOR(ts TO unit)`` does the same for YEAR, QUARTER, MONTH, DAY, HOUR,
    MINUTE, SECOND and MILLISECOND, and the Spark unit aliases (``'yyyy'``, ``'mm'``, ``'dd'``
    ...) are normalized.  WEEK differs: Spark's weeks start on Monday, Flink's FLOOR(... TO
    WEEK) on Sunday (2024-01-10 floors to Sunday 2024-01-07, Spark gives Monday 2024-01-08).
    The rule keeps Spark's Monday by going back ``MOD(DAYOFWEEK(ts) + 5, 7)`` days from the
    start of the day (DAYOFWEEK is 1 for Sunday), and warns so the reviewer sees the change.
    A unit that is not a literal, or is unknown, is an error.
    """

    id = "SL1014"
    name = "date-trunc-to-floor"
    title = "date_trunc(unit, ts) becomes FLOOR(ts TO unit); WEEK keeps Spark's Monday start"
    node_types = (exp.TimestampTrunc, exp.DateTrunc)
    examples = (
        Example(before="SELECT date_trunc('HOUR', ts) FROM t", after="SELECT FLOOR(ts TO HOUR) FROM t"),
        Example(before="SELECT date_trunc('mm', ts) FROM t", after="SELECT FLOOR(ts TO MONTH) FROM t"),
        Example(before="SELECT trunc(d, 'year') FROM t", after="SELECT FLOOR(d TO YEAR) FROM t"),
        Example(
            before="SELECT date_trunc('week', ts) FROM t",
            after="SELECT TIMESTAMPADD(DAY, -MOD(DAYOFWEEK(ts) + 5, 7), FLOOR(ts TO DAY)) FROM t",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        unit_node = node.args.get("unit")
        raw = unit_node.name if isinstance(unit_node, (exp.Var, exp.Literal)) else None
        unit = _TRUNC_UNITS.get(raw.upper()) if raw else None
        if unit is None:
            ctx.report(
                node,
                f"cannot translate the truncation unit {unit_node.sql(ctx.read) if unit_node else '?'}",
                severity=Severity.ERROR,
                suggestion="use a literal unit: YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND",
            )
            return None
        ts = node.this.copy()
        if unit == "WEEK":
            ctx.report(
                node,
                "Flink's FLOOR(... TO WEEK) starts weeks on Sunday, Spark on Monday; the "
                "translation computes the Monday explicitly",
                severity=Severity.WARNING,
                suggestion="if Sunday-based weeks are fine, FLOOR(ts TO WEEK) is simpler",
            )
            day = exp.Floor(this=ts, to=exp.var("DAY"))
            back = exp.Neg(
                this=_fn(
                    "MOD",
                    exp.Add(this=_fn("DAYOFWEEK", ts.copy()), expression=exp.Literal.number(5)),
                    exp.Literal.number(7),
                )
            )
            return _fn("TIMESTAMPADD", exp.var("DAY"), back, day)
        return exp.Floor(this=ts, to=exp.var(unit))


def _negated_amount(node: exp.Expr) -> exp.Expr | None:
    """n when node is sqlglot's ``n * -1`` (how date_sub(d, n) is read), else None."""
    if (
        isinstance(node, exp.Mul)
        and isinstance(node.expression, exp.Neg)
        and isinstance(node.expression.this, exp.Literal)
        and node.expression.this.this == "1"
    ):
        return node.this
    return None


def _day_count(n: exp.Expr, ctx: RuleContext) -> exp.Expr:
    """The number of days of date_add / date_sub as Flink's TIMESTAMPADD takes it: an INTEGER.
    Spark casts a string ('1') to INT and accepts an untyped NULL; Flink rejects both there."""
    bare = n.this if isinstance(n, exp.Paren) else n
    if isinstance(bare, exp.Null) or (isinstance(bare, exp.Literal) and bare.is_string) or ctx.declared_as(bare, TEXT_TYPES):
        return exp.Cast(this=bare.copy(), to=data_type("INT"))
    return n.copy()


class DateAddToTimestampadd(Rule):
    """Flink has no DATE_ADD.  Spark's ``date_add(d, n)`` returns the DATE n days after the date
    part of d (a string, date or timestamp).  ``TIMESTAMPADD(DAY, n, x)`` keeps the type of x
    (a TIMESTAMP stays a TIMESTAMP) and rejects strings, so the start is cast to DATE, which
    gives Spark's result type and value.
    """

    id = "SL1011"
    name = "date-add-to-timestampadd"
    title = "date_add(d, n) becomes TIMESTAMPADD(DAY, n, CAST(d AS DATE))"
    node_types = (exp.TsOrDsAdd,)
    examples = (
        Example(before="SELECT date_add(d, 7) FROM t", after="SELECT TIMESTAMPADD(DAY, 7, CAST(d AS DATE)) FROM t"),
        Example(before="SELECT date_add(ts, n) FROM t", after="SELECT TIMESTAMPADD(DAY, n, CAST(ts AS DATE)) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if _negated_amount(node.expression) is not None or node.text("unit").upper() not in ("", "DAY"):
            return None
        start = exp.Cast(this=node.this.copy(), to=data_type("DATE"))
        return _fn("TIMESTAMPADD", exp.var("DAY"), _day_count(node.expression, ctx), start)


class DateSubToTimestampadd(Rule):
    """Flink has no DATE_SUB.  Spark's ``date_sub(d, n)`` is the DATE n days before the date
    part of d; ``TIMESTAMPADD(DAY, -n, CAST(d AS DATE))`` gives the same DATE (the CAST also
    accepts Spark's string dates and drops the time of a timestamp, as Spark does).
    """

    id = "SL1012"
    name = "date-sub-to-timestampadd"
    title = "date_sub(d, n) becomes TIMESTAMPADD(DAY, -n, CAST(d AS DATE))"
    node_types = (exp.TsOrDsAdd,)
    examples = (
        Example(before="SELECT date_sub(d, 1) FROM t", after="SELECT TIMESTAMPADD(DAY, -1, CAST(d AS DATE)) FROM t"),
        Example(before="SELECT date_sub(ts, n) FROM t", after="SELECT TIMESTAMPADD(DAY, -n, CAST(ts AS DATE)) FROM t"),
        Example(
            before="SELECT date_sub(d, a + 1) FROM t",
            after="SELECT TIMESTAMPADD(DAY, -(a + 1), CAST(d AS DATE)) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        n = _negated_amount(node.expression)
        if n is None or node.text("unit").upper() not in ("", "DAY"):
            return None
        while isinstance(n, exp.Paren):
            n = n.this
        n = _day_count(n, ctx)
        if isinstance(n, exp.Literal) and not n.is_string:
            neg: exp.Expr = exp.Literal.number(f"-{n.this}")
        elif isinstance(n, (exp.Column, exp.Func, exp.Cast)):
            neg = exp.Neg(this=n.copy())
        else:
            neg = exp.Neg(this=exp.Paren(this=n.copy()))
        start = exp.Cast(this=node.this.copy(), to=data_type("DATE"))
        return _fn("TIMESTAMPADD", exp.var("DAY"), neg, start)


class DateFormatTimestampArgument(Rule):
    """Spark's ``date_format(d, fmt)`` accepts a DATE, TIMESTAMP or string; Flink's
    ``DATE_FORMAT`` rejects a DATE ("Cannot apply 'DATE_FORMAT' to arguments of type
    DATE_FORMAT(<DATE>, ...)").  Unless the argument is known to be a timestamp, it is cast to
    TIMESTAMP, which formats a date as its midnight exactly as Spark does (BigQuery's
    ``FORMAT_DATE(fmt, d)`` too).  Both engines take Java date-time patterns (``yyyy-MM-dd
    HH:mm``); the pattern is kept as written (BigQuery's ``%Y`` patterns are converted).
    """

    id = "SL1015"
    name = "date-format-cast-to-timestamp"
    title = "date_format(d, fmt) casts a non-timestamp argument to TIMESTAMP"
    node_types = (exp.TimeToStr,)
    examples = (
        Example(
            before="SELECT date_format(d, 'yyyy-MM') FROM t",
            after="SELECT DATE_FORMAT(CAST(d AS TIMESTAMP), 'yyyy-MM') FROM t",
        ),
        Example(
            before="SELECT date_format(CAST(s AS TIMESTAMP), 'HH:mm') FROM t",
            after="SELECT DATE_FORMAT(TRY_CAST(s AS TIMESTAMP_LTZ), 'HH:mm') FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        this = node.this
        if isinstance(this, exp.TsOrDsToDate):  # BigQuery's FORMAT_DATE(fmt, d): a DATE
            new = node.copy()
            new.set("this", exp.Cast(this=this.this.copy(), to=data_type("TIMESTAMP")))
            return new
        if not isinstance(this, exp.TimeStrToTime):
            return None
        inner = this.this
        if ctx.declared_as(inner, TIMESTAMP_TYPES):
            value = inner.copy()
        else:
            value = exp.Cast(this=inner.copy(), to=data_type("TIMESTAMP"))
        new = node.copy()
        new.set("this", value)
        return new


class UnixTimestampStringArgument(Rule):
    """Spark's ``unix_timestamp(x)`` takes a string, date or timestamp and returns epoch seconds;
    Flink's ``UNIX_TIMESTAMP`` takes only a STRING ('yyyy-MM-dd HH:mm:ss' by default) and
    rejects a TIMESTAMP.  A non-string argument is cast to STRING (a timestamp's text has that
    layout; its fraction is ignored as Spark truncates to seconds), a DATE first to TIMESTAMP
    so it is read as midnight.  ``unix_timestamp()`` becomes ``UNIX_TIMESTAMP()``; the
    two-argument form with a format is kept (both take Java patterns).
    """

    id = "SL1018"
    name = "unix-timestamp-string-argument"
    title = "unix_timestamp(ts) becomes UNIX_TIMESTAMP(CAST(ts AS STRING))"
    node_types = (exp.StrToUnix,)
    examples = (
        Example(before="SELECT unix_timestamp(ts) FROM t", after="SELECT UNIX_TIMESTAMP(CAST(ts AS STRING)) FROM t"),
        Example(before="SELECT unix_timestamp() FROM t", after="SELECT UNIX_TIMESTAMP() FROM t"),
        Example(
            before="SELECT unix_timestamp(CAST(s AS DATE)) FROM t",
            after="SELECT UNIX_TIMESTAMP(CAST(CAST(TRY_CAST(s AS DATE) AS TIMESTAMP) AS STRING)) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        this = node.this
        if isinstance(this, exp.CurrentTimestamp):
            return _fn("UNIX_TIMESTAMP")
        fmt = node.args.get("format")
        default = isinstance(fmt, exp.Literal) and fmt.this == _DEFAULT_UNIX_FORMAT
        if not default or ctx.declared_as(this, TEXT_TYPES) or (isinstance(this, exp.Literal) and this.is_string):
            return None
        value = this.copy()
        if ctx.declared_as(this, DATE_TYPES):
            value = exp.Cast(this=value, to=data_type("TIMESTAMP"))
        return _fn("UNIX_TIMESTAMP", exp.Cast(this=value, to=data_type("STRING")))


class ApproxCountDistinct(Rule):
    """Spark's ``approx_count_distinct(x)`` estimates the number of distinct values.  Flink's
    APPROX_COUNT_DISTINCT exists in batch mode only (in streaming the planner fails with
    "Cannot generate a valid execution plan ... COUNT(APPROXIMATE DISTINCT ...)", checked on
    Flink 2.3).  In batch mode it maps directly; in streaming it becomes the exact
    ``COUNT(DISTINCT x)``, with a warning: the result is exact (may differ slightly from the
    estimate) and the state keeps every distinct value.
    """

    id = "SL1081"
    name = "approx-count-distinct"
    title = "approx_count_distinct(x): APPROX_COUNT_DISTINCT in batch, COUNT(DISTINCT x) in streaming"
    node_types = (exp.ApproxDistinct,)
    examples = (
        Example(
            before="SELECT b, approx_count_distinct(a) FROM t GROUP BY b",
            after="SELECT b, COUNT(DISTINCT a) FROM t GROUP BY b",
            diagnoses=True,
        ),
        Example(
            before="SELECT b, approx_count_distinct(a) FROM t GROUP BY b",
            after="SELECT b, APPROX_COUNT_DISTINCT(a) FROM t GROUP BY b",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        accuracy = node.args.get("accuracy")
        if accuracy is not None:  # Spark's relativeSD: Flink's estimate has no such knob
            ctx.report(
                node,
                f"the relative standard deviation {accuracy.sql(ctx.read)} of approx_count_distinct "
                "has no Flink form and is dropped: the estimate's accuracy can differ",
                severity=Severity.WARNING,
                suggestion="drop the argument if the default accuracy is fine",
            )
        if ctx.mode == Mode.BATCH:
            return _fn("APPROX_COUNT_DISTINCT", node.this.copy())
        ctx.report(
            node,
            "APPROX_COUNT_DISTINCT is batch-only in Flink; translated to the exact COUNT(DISTINCT ...), "
            "whose state keeps every distinct value",
            severity=Severity.WARNING,
            suggestion="set a state TTL, or count distinct values per window",
        )
        return exp.Count(this=exp.Distinct(expressions=[node.this.copy()]))


class NamedStructToRow(Rule):
    """Spark's ``named_struct('x', a, 'y', b)`` (and ``struct(a, b)``) builds a struct with
    named fields; Flink's ``ROW(a, b)`` builds a row whose fields are named ``EXPR$0``,
    ``EXPR$1``.  When the type of every value is known (literals, casts, declared columns), the
    row is cast to the named row type, ``CAST(ROW(a, 'b') AS ROW<x INT, y STRING>)``, which
    keeps the names.  Otherwise values and positions are kept (inserting into a ROW<x ..., y
    ...> column works by position) but field access by name (``r.x``) fails, so the rule warns
    and suggests that CAST; a field read by name from the struct right away
    (``struct(a, b).b``) is an error: Flink rejects it ("Unknown field 'b'").
    """

    id = "SL1082"
    name = "named-struct-to-row"
    title = "named_struct(...) / struct(...) becomes ROW(...) (field names are lost)"
    node_types = (exp.Struct,)
    examples = (
        Example(
            before="SELECT named_struct('x', a, 'y', s) FROM t",
            after="SELECT ROW(a, s) FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT named_struct('x', a, 'y', 'b').x FROM t",
            after="SELECT CAST(ROW(a, 'b') AS ROW<x INT, y STRING>).x FROM t",
            types={"t": {"a": "INT"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        names, values = [], []
        for e in node.expressions:
            if isinstance(e, exp.PropertyEQ):
                names.append(e.this.name)
                values.append(e.expression.copy())
            else:
                names.append(None)
                values.append(e.copy())
        named = [n for n in names if n]
        kinds = [ctx.declared_type(v) for v in values]
        if named and len(named) == len(names) and all(k is not None and k.this is not exp.DType.NULL for k in kinds):
            # every field's type is known (literals, casts, declared columns): the named row type
            # keeps the names, as Spark's struct does
            struct = exp.DataType(
                this=exp.DType.STRUCT,
                expressions=[exp.ColumnDef(this=exp.to_identifier(n), kind=k.copy()) for n, k in zip(named, kinds) if k],
                nested=True,
            )
            return exp.Cast(this=_fn("ROW", *values), to=struct)
        read = node.parent.name if isinstance(node.parent, exp.Dot) and node.arg_key == "this" else None
        if read:  # a field of the row read by name right here: Flink has no such field
            ctx.report(
                node,
                f"the field {read} of a struct is read by name, but Flink's ROW(...) has no field "
                f"names ({', '.join(n or '?' for n in names)} become EXPR$0...) and their types "
                "are not known here for a CAST to a named row type",
                severity=Severity.ERROR,
                suggestion="read the value itself instead of the struct's field, or cast the values "
                "so their types are known",
            )
        elif named:
            ctx.report(
                node,
                f"Flink's ROW(...) has no field names; {', '.join(named)} become EXPR$0...",
                severity=Severity.WARNING,
                suggestion="CAST(ROW(...) AS ROW<" + ", ".join(f"{n} <type>" for n in named) + ">) "
                "when fields are read by name",
            )
        return _fn("ROW", *values)
