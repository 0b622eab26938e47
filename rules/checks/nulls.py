"""A NULL column with no type: Spark types it (VOID, or by a later UNION), Flink refuses it."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type

#: the type given to a NULL that nothing else types (the STRING fallback, warned)
FALLBACK = "STRING"


def _untyped_nulls(value: exp.Expr) -> list[tuple[exp.Expr, str]]:
    """Where the NULLs are that leave ``value`` without a type, as (holder, argument): in the
    projection itself, or the first result of a CASE / IF / COALESCE whose results are all
    NULL (typing one types them all).  Set through the holder: a rule may have shared a NULL
    node between places, so its own parent link is not to be trusted."""
    if isinstance(value, exp.Paren):
        return _untyped_nulls(value.this)
    if isinstance(value, exp.Case):
        slots = [(i, "true") for i in value.args.get("ifs") or []] + [(value, "default")]
    elif isinstance(value, exp.If):
        slots = [(value, "true"), (value, "false")]
    elif isinstance(value, exp.Coalesce):
        slots = [(value, "this")]  # the other arguments follow the first one's type
        if not all(isinstance(e, exp.Null) for e in value.expressions):
            return []
    else:
        return []
    present = [(h, k) for h, k in slots if h.args.get(k) is not None]
    if present and all(isinstance(h.args.get(k), exp.Null) for h, k in present):
        return [present[0]]
    return []


def _typed_null() -> exp.Cast:
    return exp.Cast(this=exp.Null(), to=data_type(FALLBACK))


class UntypedNullColumn(Rule):
    """``SELECT NULL AS x`` (or a CASE / IF / COALESCE whose every result is NULL) gives a
    column Spark types as VOID, or by the other branches of a UNION it feeds; Flink's planner
    refuses it ("Illegal use of 'NULL'", "ELSE clause or at least one THEN clause must be
    non-NULL").  Directly in a UNION branch, SL3007 types the NULL by its siblings; anywhere
    else (a CTE later unioned with ``*``, a model's placeholder column), no type can be proven,
    so the NULL becomes ``CAST(NULL AS STRING)`` with a warning naming the column: cast it in
    the model where another type is meant.
    """

    id = "SL3021"
    name = "untyped-null-column"
    title = "A NULL column with no type is declared STRING (Flink needs a type), with a warning"
    phase = "check"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, NULL AS x FROM t",
            after="SELECT a, CAST(NULL AS STRING) AS x FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT CASE WHEN a > 0 THEN NULL END AS y FROM t",
            after="SELECT CASE WHEN a > 0 THEN CAST(NULL AS STRING) END AS y FROM t",
            diagnoses=True,
        ),
        Example(before="SELECT a, 1 AS x FROM t", after="SELECT a, 1 AS x FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        if isinstance(node.parent, (exp.Union, exp.Intersect, exp.Except)):
            return None  # a UNION branch: SL3007 types it by the other branches, or reports
        changed = False
        projections = list(node.expressions)
        for index, projection in enumerate(projections):
            value = projection.this if isinstance(projection, exp.Alias) else projection
            if value is projection and isinstance(value, exp.Null):
                projections[index] = _typed_null()  # an unnamed bare NULL: the projection itself
            else:
                slots = [(projection, "this")] if isinstance(value, exp.Null) else _untyped_nulls(value)
                for holder, key in slots:
                    holder.set(key, _typed_null())
                if not slots:
                    continue
            changed = True
            ctx.report(
                projection,
                f"column {projection.alias_or_name or '?'} is an untyped NULL; Flink needs a "
                f"type, so it is declared {FALLBACK}",
                severity=Severity.WARNING,
                suggestion="cast the NULL to the column's type in the model",
            )
        if changed:
            node.set("expressions", projections)
        return node if changed else None
