"""Values turned into strings as Spark turns them: CONCAT / || / concat_ws arguments and
CAST(boolean AS STRING)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext

_T = exp.DType
#: types whose Flink CAST(x AS STRING) is Spark's text (checked on Flink 2.3)
_SAME_TEXT = frozenset(
    {_T.TINYINT, _T.SMALLINT, _T.INT, _T.BIGINT, _T.DECIMAL, _T.DOUBLE, _T.FLOAT, _T.DATE}
)
_TIMESTAMPS = frozenset({_T.TIMESTAMP, _T.TIMESTAMPNTZ, _T.TIMESTAMPLTZ, _T.TIMESTAMPTZ, _T.DATETIME})
_STRINGS = frozenset({_T.VARCHAR, _T.CHAR, _T.TEXT, _T.NVARCHAR, _T.NCHAR})


def _text(value: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
    """``value`` as Spark's string, when its declared type needs a conversion (None: it is a
    string already, or its type is not known here)."""
    declared = ctx.declared_type(value)
    if declared is None or declared.this in _STRINGS or declared.this is _T.NULL:
        return None
    if declared.this is _T.BOOLEAN:  # Flink writes TRUE / FALSE, Spark true / false
        return exp.case().when(value.copy(), exp.Literal.string("true")).when(
            exp.Not(this=value.copy()), exp.Literal.string("false")
        )
    if declared.this in _SAME_TEXT or declared.this in _TIMESTAMPS:
        return exp.Cast(this=value.copy(), to=exp.DataType.build("STRING"))
    return None


class StringConversion(Rule):
    """Spark turns any value into a string where a string is needed: ``concat(1, 'a')`` is
    ``'1a'``, and so are ``1 || 'a'`` and ``concat_ws('-', 1, 'a')``.  Flink's CONCAT, ``||``
    and CONCAT_WS take strings only (the planner refuses ``CONCAT(<INTEGER>, <CHAR(1)>)``), so
    an argument whose type is known (schema, literal, CAST) and is not a string is cast.
    Numbers and dates print the same in both engines (checked on Flink 2.3); a BOOLEAN prints
    ``TRUE`` in Flink and ``true`` in Spark, so it becomes ``CASE WHEN b THEN 'true' WHEN NOT b
    THEN 'false' END`` (also for an explicit ``CAST(b AS STRING)``); a timestamp is cast with a
    warning: Spark drops trailing zeros of the fraction (``05.12``), Flink prints the type's
    precision.  An argument of unknown type is left to the planner.
    """

    id = "SL3022"
    name = "string-conversion"
    title = "non-string arguments of CONCAT / || / concat_ws are cast as Spark converts them"
    node_types = (exp.Concat, exp.ConcatWs, exp.DPipe, exp.Cast)
    examples = (
        Example(
            before="SELECT concat(i, s), i || s FROM t",
            after="SELECT CONCAT(CAST(i AS STRING), s), CAST(i AS STRING) || s FROM t",
            types={"t": {"i": "INT", "s": "STRING"}},
        ),
        Example(
            before="SELECT concat(flag, s), CAST(flag AS STRING) FROM t",
            after="SELECT CONCAT(CASE WHEN flag THEN 'true' WHEN NOT flag THEN 'false' END, s), "
            "CASE WHEN flag THEN 'true' WHEN NOT flag THEN 'false' END FROM t",
            types={"t": {"flag": "BOOLEAN", "s": "STRING"}},
        ),
        Example(
            before="SELECT concat(ts, s) FROM t",
            after="SELECT CONCAT(CAST(ts AS STRING), s) FROM t",
            types={"t": {"ts": "TIMESTAMP", "s": "STRING"}},
            diagnoses=True,
        ),
        Example(before="SELECT concat(s, 'x') FROM t", after="SELECT CONCAT(s, 'x') FROM t",
                types={"t": {"s": "STRING"}}),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Cast):
            to = node.to
            declared = ctx.declared_type(node.this)
            if to.this in _STRINGS and declared is not None and declared.this is _T.BOOLEAN:
                return _text(node.this, ctx)
            return None
        arguments = [node.this, node.expression] if isinstance(node, exp.DPipe) else list(node.expressions)
        if isinstance(node, exp.ConcatWs):
            arguments = arguments[1:]  # the separator is a string
        changed = False
        for argument in arguments:
            if argument is None:
                continue
            text = _text(argument, ctx)
            if text is None:
                continue
            declared = ctx.declared_type(argument)
            if declared is not None and declared.this in _TIMESTAMPS:
                ctx.report(
                    argument,
                    "a timestamp turned into a string: Spark drops the trailing zeros of the "
                    "fraction (10:00:05.12), Flink prints the type's precision",
                    suggestion="format it explicitly: date_format(ts, 'yyyy-MM-dd HH:mm:ss')",
                    severity=Severity.WARNING,
                )
            argument.replace(text)
            changed = True
        return node if changed else None
