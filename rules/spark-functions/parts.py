"""Functions common in dbt projects that Flink expresses with other built-ins."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.spark_coverage import SPARK_READERS
from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import argument_in_flag
from shiftleft.sqlglot_objects import data_type


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _int_literal(node: exp.Expr | None) -> int | None:
    """A literal integer, negative ones (``-1``) included."""
    if isinstance(node, exp.Neg):
        inner = _int_literal(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _null_string() -> exp.Cast:
    return exp.Cast(this=exp.Null(), to=data_type("STRING"))


def _is_null(*nodes: exp.Expr) -> exp.Expr:
    """``a IS NULL OR b IS NULL ...`` over the non-literal ``nodes``."""
    tests = [exp.Is(this=n.copy(), expression=exp.Null()) for n in nodes if not isinstance(n, exp.Literal)]
    condition = tests[0] if tests else exp.false()
    for test in tests[1:]:
        condition = exp.Or(this=condition, expression=test)
    return condition


class SplitPartToSplitIndex(Rule):
    """``split_part(s, delim, n)`` (Spark, Snowflake, Databricks) is the n-th (1-based) piece of
    ``s`` split on the literal ``delim`` (empty pieces kept), counted from the end when ``n`` is
    negative, an empty string past the last piece, NULL when an argument is NULL; an empty
    ``delim`` does not split (``s`` is the only piece).  Snowflake reads ``n = 0`` as 1; Spark
    raises on it.  Flink's ``SPLIT_INDEX(s, delim, i)`` is 0-based, NULL past the last piece
    and has no index from the end, so:

    * a positive literal ``n``: ``COALESCE(SPLIT_INDEX(s, delim, n - 1), '')`` where ``s`` is
      not NULL;
    * a negative or computed ``n`` (or delimiter): the pieces are counted,
      ``(CHAR_LENGTH(s) - CHAR_LENGTH(REPLACE(s, delim, ''))) / CHAR_LENGTH(delim) + 1``
      (REPLACE and the split both take non-overlapping matches from the left), the index from
      the end becomes ``pieces + n``, one before the first piece gives ``''``;
    * an empty delimiter: ``s`` for ``n`` = 1 or -1 (and 0 in Snowflake), else ``''``.

    A literal 0 read as Spark is reported (Spark raises); a computed one, which Spark raises
    on where it is 0, gives the first piece, with a warning.  Checked against Spark's
    ``split_part`` (Snowflake's documented meaning, 0 as 1) on generated strings.
    """

    id = "SL1087"
    name = "split-part-to-split-index"
    title = "split_part(s, d, n) becomes SPLIT_INDEX(s, d, n - 1), '' past the end; n < 0 counts the pieces"
    node_types = (exp.SplitPart,)
    examples = (
        Example(
            before="SELECT split_part(s, ',', 2) FROM t",
            after="SELECT CASE WHEN s IS NULL THEN CAST(NULL AS STRING) "
            "ELSE COALESCE(SPLIT_INDEX(s, ',', 1), '') END FROM t",
        ),
        Example(
            before="SELECT split_part(s, '-', -1) FROM t",
            after="SELECT CASE WHEN s IS NULL THEN CAST(NULL AS STRING) "
            "WHEN (CHAR_LENGTH(s) - CHAR_LENGTH(REPLACE(s, '-', ''))) + 1 + -1 < 0 THEN '' "
            "ELSE COALESCE(SPLIT_INDEX(s, '-', (CHAR_LENGTH(s) - CHAR_LENGTH(REPLACE(s, '-', ''))) + 1 + -1), '') "
            "END FROM t",
        ),
        Example(
            before="SELECT split_part(s, '-', 0) FROM t",
            after="SELECT SPLIT_PART(s, '-', 0) FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT split_part(s, '', 0) FROM t",
            after="SELECT CASE WHEN s IS NULL THEN CAST(NULL AS STRING) ELSE s END FROM t",
            read="snowflake",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        text, delim, index = node.this, node.args.get("delimiter"), node.args.get("part_index")
        extra = argument_in_flag(node, "part_index_zero_as_one", "empty_delimiter_returns_whole")
        if extra is not None:
            ctx.report(
                node,
                f"split_part takes three arguments; this call also passes {extra.sql(ctx.read)}, which "
                "the translation would drop",
                severity=Severity.ERROR,
                suggestion="remove the extra arguments",
            )
            return None
        zero_as_one = bool(node.args.get("part_index_zero_as_one"))
        n = _int_literal(index)
        if delim is None or index is None or (n == 0 and not zero_as_one):
            ctx.report(
                node,
                "split_part with part 0 raises in Spark (parts count from 1, or from -1 at the end)",
                severity=Severity.ERROR,
                suggestion="use part 1 for the first piece, -1 for the last",
            )
            return None
        if n is not None and zero_as_one and n == 0:
            n = 1
        if n is None and not zero_as_one:
            ctx.report(
                node,
                "split_part with a computed part number: where it is 0 Spark raises, the Flink form "
                "gives the first piece",
                severity=Severity.WARNING,
            )
        null = _is_null(text, delim, *([] if n is not None else [index]))
        if isinstance(delim, exp.Literal) and delim.is_string and delim.this == "":
            whole = n in (1, -1) if n is not None else None
            value: exp.Expr = text.copy() if whole else exp.Literal.string("")
            if whole is None:  # a computed part: the whole string for 1, -1 (0)
                ends = [exp.Literal.number(1), exp.Neg(this=exp.Literal.number(1)), exp.Literal.number(0)]
                value = exp.Case(ifs=[exp.If(this=exp.In(this=index.copy(), expressions=ends), true=text.copy())],
                                 default=exp.Literal.string(""))
            return exp.Case(ifs=[exp.If(this=null, true=_null_string())], default=value)
        if n is not None and n > 0:
            piece = _fn("SPLIT_INDEX", text.copy(), delim.copy(), exp.Literal.number(n - 1))
            return exp.Case(ifs=[exp.If(this=null, true=_null_string())],
                            default=exp.Coalesce(this=piece, expressions=[exp.Literal.string("")]))
        return self._counted(text, delim, index, n, null)

    @staticmethod
    def _counted(text: exp.Expr, delim: exp.Expr, index: exp.Expr, n: int | None, null: exp.Expr) -> exp.Expr:
        """The piece ``index`` (negative: from the end) found by counting the pieces."""
        width: exp.Expr = (
            exp.Literal.number(len(delim.this)) if isinstance(delim, exp.Literal) and delim.is_string
            else exp.Length(this=delim.copy())
        )
        removed = exp.Length(this=_fn("REPLACE", text.copy(), delim.copy(), exp.Literal.string("")))
        delims: exp.Expr = exp.Paren(this=exp.Sub(this=exp.Length(this=text.copy()), expression=removed))
        if not (isinstance(width, exp.Literal) and width.this == "1"):
            delims = exp.Div(this=delims, expression=width, typed=True)  # Flink: integer division
        pieces = exp.Add(this=delims, expression=exp.Literal.number(1))
        from_end = exp.Add(this=pieces, expression=exp.Literal.number(n) if n is not None else index.copy())
        if n is not None:
            position: exp.Expr = from_end
        else:
            position = exp.Case(
                ifs=[exp.If(this=exp.GT(this=index.copy(), expression=exp.Literal.number(0)),
                            true=exp.Sub(this=index.copy(), expression=exp.Literal.number(1))),
                     exp.If(this=exp.LT(this=index.copy(), expression=exp.Literal.number(0)), true=from_end)],
                default=exp.Literal.number(0),
            )
        ifs = [exp.If(this=null, true=_null_string())]
        if not isinstance(delim, exp.Literal):  # an empty delimiter does not split
            ends = [exp.Literal.number(1), exp.Neg(this=exp.Literal.number(1)), exp.Literal.number(0)]
            whole = exp.Case(ifs=[exp.If(this=exp.In(this=index.copy(), expressions=ends), true=text.copy())],
                             default=exp.Literal.string(""))
            ifs.append(exp.If(this=exp.EQ(this=delim.copy(), expression=exp.Literal.string("")), true=whole))
        ifs.append(exp.If(this=exp.LT(this=position.copy(), expression=exp.Literal.number(0)),
                          true=exp.Literal.string("")))
        piece = _fn("SPLIT_INDEX", text.copy(), delim.copy(), position)
        return exp.Case(ifs=ifs, default=exp.Coalesce(this=piece, expressions=[exp.Literal.string("")]))


class StringAggToListagg(Rule):
    """Spark's ``listagg(x[, sep])`` / ``string_agg(x[, sep])`` (and Snowflake's ``listagg``)
    concatenate the non-NULL values with ``sep`` (default: no separator); Flink's ``LISTAGG(x,
    sep)`` does the same but its default separator is ``','``, so the separator is always
    written.  Neither engine guarantees the order of the values without an ordering; Spark's
    ``WITHIN GROUP (ORDER BY ...)`` has no Flink form and is reported.
    """

    id = "SL1088"
    name = "string-agg-to-listagg"
    title = "listagg / string_agg(x, sep) become LISTAGG(x, sep) with an explicit separator"
    node_types = (exp.GroupConcat,)
    examples = (
        Example(before="SELECT listagg(s, ';') FROM t", after="SELECT LISTAGG(s, ';') FROM t"),
        Example(before="SELECT string_agg(s) FROM t", after="SELECT LISTAGG(s, '') FROM t"),
        Example(
            before="SELECT listagg(s, ',') WITHIN GROUP (ORDER BY s) FROM t", read="snowflake",
            after="SELECT GROUP_CONCAT(s ORDER BY s NULLS LAST, ',') FROM t", diagnoses=True, mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        arg = node.this
        if isinstance(arg, exp.Order) or node.find(exp.Order) is not None:
            ctx.report(
                node,
                "listagg / string_agg with an ordering has no Flink form: LISTAGG's order is not defined",
                severity=Severity.ERROR,
                suggestion="drop the ordering if it does not matter, or order the input with a Top-N subquery",
            )
            return None
        extra = node.args.get("on_overflow")
        if extra is not None:
            ctx.report(
                node,
                f"listagg / string_agg with a third argument ({extra.sql(ctx.read)}) has no Flink form",
                severity=Severity.ERROR,
                suggestion="Spark's listagg takes a value and a separator: remove the extra argument",
            )
            return None
        separator = node.args.get("separator") or exp.Literal.string("")
        return _fn("LISTAGG", arg.copy(), separator.copy())


class TryToTimestamp(Rule):
    """Spark's ``try_to_timestamp(s)`` is ``s`` cast to TIMESTAMP, NULL when it cannot be read:
    ``TRY_CAST(s AS TIMESTAMP)``; with a format, Flink's ``TO_TIMESTAMP(s, fmt)`` also returns
    NULL on a string that does not match.  Differences: Flink's cast clamps an impossible day
    (``'2023-02-29'`` becomes 2023-02-28, Spark gives NULL: found by the differential test); without a format Spark also reads
    forms Flink's cast does not (``'2020-01-01T10:00:00'``, ``'2020'``: NULL in Flink); Flink's
    formats are Java ``SimpleDateFormat`` patterns, Spark's its own datetime patterns (the
    common ``yyyy-MM-dd HH:mm:ss`` letters agree).
    """

    id = "SL1089"
    name = "try-to-timestamp"
    title = "try_to_timestamp(s[, fmt]) becomes TRY_CAST(s AS TIMESTAMP) / TO_TIMESTAMP(s, fmt)"
    node_types = (exp.Anonymous,)
    examples = (
        Example(before="SELECT try_to_timestamp(s) FROM t", after="SELECT TRY_CAST(s AS TIMESTAMP) FROM t",
                diagnoses=True),
        Example(before="SELECT try_to_timestamp(s, 'yyyy-MM-dd') FROM t",
                after="SELECT TO_TIMESTAMP(s, 'yyyy-MM-dd') FROM t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if str(node.name).lower() != "try_to_timestamp" or not 1 <= len(node.expressions) <= 2:
            return None
        args = node.expressions
        ctx.report(
            node,
            "try_to_timestamp: Flink's cast clamps an impossible day ('2023-02-29' -> 2023-02-28, Spark: "
            "NULL), Spark also reads forms Flink does not ('2020-01-01T10:00:00' without a format), and its format letters are Spark's datetime patterns (Flink: SimpleDateFormat)",
            suggestion="check non-ISO inputs; the common yyyy-MM-dd HH:mm:ss letters agree",
        )
        if len(args) == 2:
            return _fn("TO_TIMESTAMP", args[0].copy(), args[1].copy())
        return exp.TryCast(this=args[0].copy(), to=data_type("TIMESTAMP"), safe=True)


class MakeDate(Rule):
    """Spark's ``make_date(y, m, d)`` is the DATE of those parts, NULL (ANSI: an error) when
    they name no date (``make_date(2023, 2, 29)``).  Flink has no such function; the rule reads
    the ISO text ``yyyy-m-d`` with ``TRY_CAST(... AS DATE)``, which is NULL for an impossible
    date as well (the year padded to four digits).  Spark readers only: Snowflake's
    ``date_from_parts`` rolls over out-of-range parts instead, and is left reported.
    """

    id = "SL1091"
    name = "make-date"
    title = "make_date(y, m, d) becomes TRY_CAST of the ISO date text"
    node_types = (exp.Anonymous,)
    examples = (
        Example(
            before="SELECT make_date(a, b, 1) FROM t",
            after="SELECT TRY_CAST(CONCAT(LPAD(CAST(a AS STRING), 4, '0'), '-', CAST(b AS STRING), '-', "
            "CAST(1 AS STRING)) AS DATE) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if (str(node.name).lower() != "make_date" or len(node.expressions) != 3
                or ctx.read.lower() not in SPARK_READERS):
            return None
        y, m, d = (exp.Cast(this=a.copy(), to=data_type("STRING")) for a in node.expressions)
        text = _fn("CONCAT", _fn("LPAD", y, exp.Literal.number(4), exp.Literal.string("0")),
                   exp.Literal.string("-"), m, exp.Literal.string("-"), d)
        return exp.TryCast(this=text, to=data_type("DATE"), safe=True)
