"""Checks that run after every rewrite rule: report what is left untranslated.

Nothing the user wrote may pass through silently: a function that Flink does not have, or a
statement the reader could only keep as raw text, becomes an error diagnostic here.
"""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_arity import flink_arity
from shiftleft.dialects.flink_catalog import FLINK_FUNCTIONS
from shiftleft.dialects.flink_functions import flink_call_arity, unmapped_function_name
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

C = pack_module(__file__, "_calls")


class UnmappedFunction(Rule):
    """After all rewrites, every function call in the output must be a Flink built-in.

    A Spark function that no rule translated would otherwise be passed through and fail in
    Flink at deployment time (or, worse, resolve to a same-named function with other
    semantics).  The check names the function; register a rule for it, register a Flink UDF
    of that name, or rewrite the expression by hand.
    """

    id = "SL9001"
    name = "unmapped-function"
    title = "Function with no Flink equivalent after all rules ran"
    phase = "check"
    node_types = (exp.Func,)
    examples = (
        Example(before="SELECT levenshtein(a, b) FROM t", after="SELECT LEVENSHTEIN(a, b) FROM t", diagnoses=True),
        Example(before="SELECT my_udf(a) FROM t", after="SELECT MY_UDF(a) FROM t", diagnoses=True),
        Example(before="SELECT COALESCE(a, b) FROM t", after="SELECT COALESCE(a, b) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Func)
        if C.not_checked(node, ctx):
            return None  # a hint's name, or a function the user mapped to one registered in Flink
        name = C.flink_name(node, ctx)
        if name is None or name in FLINK_FUNCTIONS:
            return None  # a built-in: what unmapped_function_name decides, with the shared name
        name = unmapped_function_name(node, ctx.target.value)  # also leaves syntax words alone
        if name is None:
            return None
        kind = "user-defined function" if isinstance(node, exp.Anonymous) else "function"
        ctx.report(
            node,
            f"{kind} {name} is not a Flink built-in and no rule translates it",
            severity=Severity.ERROR,
            suggestion=f"map it to a Flink expression or your registered UDF with --functions FILE "
            f"(transpile(..., functions={{'{name.lower()}': 'TEMPLATE($1)'}})), add a rewrite rule, "
            "or rewrite it by hand",
        )
        return None


class WrongArity(Rule):
    """After all rewrites, every call of a Flink built-in must have a number of arguments
    Flink's planner accepts.

    A rule or the generator can carry a dialect's extra arguments over unchanged (Snowflake's
    ``REGEXP_SUBSTR(s, re, position, occurrence, parameters, group)`` read as a regex extract
    would be written ``REGEXP_EXTRACT`` with six arguments, where Flink takes two or three):
    the planner rejects the statement.  The accepted counts come from the Flink 2.3 planner
    itself (``scripts/flink_arity.py`` writes ``dialects/flink_arity.json``), never from a
    hand-written table.
    """

    id = "SL9004"
    name = "wrong-arity"
    title = "Flink built-in called with a number of arguments Flink does not accept"
    phase = "check"
    node_types = (exp.Func,)
    examples = (
        Example(
            before="SELECT split_index(a, ',') FROM t",
            after="SELECT SPLIT_INDEX(a, ',') FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT date_format(ts, 'yyyy') FROM t",
            after="SELECT DATE_FORMAT(CAST(ts AS TIMESTAMP), 'yyyy') FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Func)
        if C.not_checked(node, ctx):
            return None
        name = C.flink_name(node, ctx)
        table = flink_arity()
        accepted = table.functions.get(name or "")
        if accepted is None:
            return None
        counts, variadic = accepted
        arity = flink_call_arity(node, ctx.target.value, C.shape(node, ctx))
        if arity is None or arity in counts or (variadic and arity > table.max_probed):
            return None
        expected = " or ".join(str(c) for c in counts) + (" or more" if variadic else "")
        ctx.report(
            node,
            f"Flink's {name} takes {expected} argument{'s' if counts != (1,) else ''}; this call "
            f"has {arity}",
            severity=Severity.ERROR,
            suggestion="rewrite the call by hand (or map the source function with --functions)",
        )
        return None


class UnparsedStatement(Rule):
    """The reader could not understand the statement and kept it as raw text (a sqlglot
    ``Command``).  It is copied to the output unchanged, which is rarely valid Flink SQL."""

    id = "SL9003"
    name = "unparsed-statement"
    title = "Statement kept as raw text because the reader does not understand it"
    phase = "check"
    node_types = (exp.Command,)
    examples = (
        Example(before="MSCK REPAIR TABLE t", after="MSCK REPAIR TABLE t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        ctx.report(
            node,
            f"statement '{node.name}' is not understood by the {ctx.read} reader and was copied "
            "unchanged",
            severity=Severity.ERROR,
            suggestion="remove it if it has no Flink counterpart, or translate it by hand",
        )
        return None
