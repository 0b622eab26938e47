"""Arguments the Flink generator does not write."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_functions import generator_dropped_args
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

C = pack_module(__file__, "_calls")


def _from_source(value: object) -> bool:
    """True for an argument written in the source (it holds a node with a source position);
    a default the reader filled in (Spark initcap's delimiters) is not the user's."""
    items = value if isinstance(value, list) else [value]
    return any(
        isinstance(item, exp.Expr) and any("line" in n.meta for n in item.walk()) for item in items
    )


class GeneratorDroppedArgument(Rule):
    """After all rewrites, the Flink generator must write every argument a function call
    holds.

    sqlglot's readers keep arguments that its Flink generator has no place for: Spark's
    ``instr`` read with extra arguments holds an occurrence the generator's ``LOCATE`` does
    not write, a ``substring(s, p, l, x)`` an extra one.  The output would silently compute
    something else.  The check generates each call with its arguments replaced by markers and
    reports the arguments whose marker is missing from the text, when they were written in the
    source (a default the reader filled in, such as Spark initcap's delimiter set, is not).
    """

    id = "SL9006"
    name = "generator-dropped-argument"
    title = "Function argument that the Flink generator would silently leave out"
    phase = "check"
    node_types = (exp.Func,)
    examples = (
        Example(
            before="SELECT instr(a, b, c, d) FROM t",
            after="SELECT LOCATE(b, a, c) FROM t",
            diagnoses=True,
        ),
        Example(before="SELECT locate(s, s2, 2) FROM t", after="SELECT LOCATE(s, s2, 2) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Func)
        if C.not_checked(node, ctx):
            return None
        dropped = [k for k in generator_dropped_args(node, ctx.target.value, C.shape(node, ctx)) if _from_source(node.args.get(k))]
        if not dropped:
            return None
        values = [node.args.get(key) for key in dropped]
        written = ", ".join(
            v.sql(dialect=ctx.read) if isinstance(v, exp.Expr) else ", ".join(i.sql(dialect=ctx.read) for i in v)
            for v in values
            if isinstance(v, (exp.Expr, list))
        )
        ctx.report(
            node,
            f"the Flink form of {node.sql(dialect=ctx.read)[:80]} leaves out {written} "
            f"(argument {', '.join(dropped)}): the translation would compute something else",
            severity=Severity.ERROR,
            suggestion="check the source function's signature; remove the argument or rewrite the "
            "expression by hand",
        )
        return None
