"""A column read from a CTE or a subquery that does not output it: invalid input."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import relation_columns, select_inputs


def _inputs(select: exp.Select) -> list[exp.Expr]:
    """The FROM / JOIN inputs, or [] when the SELECT has inputs beyond them (LATERAL VIEW)."""
    return [] if select.args.get("laterals") else select_inputs(select)


def _may_correlate(select: exp.Select, ctx: RuleContext) -> bool:
    """Whether ``select`` is (inside) a subquery expression, whose columns may be the outer
    query's.  Each node on the way up keeps its answer (a fact of the unchanged tree), so the
    SELECTs of a nesting n deep take n steps in all, not one walk to the top each."""
    path: list[exp.Expr] = []
    node: exp.Expr | None = select
    found = False
    while node is not None and not isinstance(node, exp.CTE):
        cached = ctx.facts.get((_CORRELATE, id(node)))
        if cached is not None and cached[0] is node and cached[1] == ctx.changes:
            found = cached[2]
            break
        path.append(node)
        parent = node.parent
        if isinstance(node, exp.Subquery) and not isinstance(parent, (exp.From, exp.Join)):
            found = True
            break
        if isinstance(parent, (exp.Exists, exp.In)) or isinstance(parent, exp.Lateral):
            found = True
            break
        node = parent
    for seen in path:  # each answers as the node it reached: the first that decided
        ctx.facts[(_CORRELATE, id(seen))] = (seen, ctx.changes, found)
    return found


_CORRELATE = "SL3044-may-correlate"


class MissingDerivedColumn(Rule):
    """A query that reads a column its CTE or subquery does not output (``WITH base AS (SELECT
    a FROM t) SELECT b FROM base``) is invalid: Spark rejects it ("cannot resolve 'b'"), and so
    does the Flink planner ("Column 'b' not found in any table").  shiftleft translated such a
    statement as it was and said nothing; with ``sources=True`` it even declared ``b`` in the
    source table the CTE reads.  Reported where the CTE's / subquery's columns are known (listed,
    or a ``*`` of inputs whose columns are known); a column of a table, or of a ``*`` of one,
    is left to the planner."""

    id = "SL3044"
    name = "missing-derived-column"
    title = "a column read from a CTE / subquery that does not output it (invalid input)"
    phase = "check"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="WITH base AS (SELECT a FROM t) SELECT b FROM base",
            after="WITH base AS (SELECT a FROM t) SELECT b FROM base",
            diagnoses=True,
        ),
        Example(
            before="WITH base AS (SELECT a, b FROM t), e AS (SELECT *, 1 AS x FROM base) SELECT q.b, x FROM e AS q",
            after="WITH base AS (SELECT a, b FROM t), e AS (SELECT *, 1 AS x FROM base) SELECT q.b, x FROM e AS q",
        ),
        Example(
            before="SELECT s.c FROM (SELECT a FROM t) AS s",
            after="SELECT s.c FROM (SELECT a FROM t) AS s",
            diagnoses=True,
        ),
        Example(
            before="WITH base AS (SELECT * FROM t) SELECT b FROM base",
            after="WITH base AS (SELECT * FROM t) SELECT b FROM base",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        inputs = _inputs(node)
        if not inputs or not any(isinstance(s, exp.Subquery) or (isinstance(s, exp.Table) and not s.args.get("db")) for s in inputs):
            return None
        outputs = {s.alias_or_name.lower(): relation_columns(s) for s in inputs}
        if all(o is None for o in outputs.values()):
            return None
        complete = all(o is not None for o in outputs.values()) and not _may_correlate(node, ctx)
        every = {n for o in outputs.values() for n in o or ()}
        aliases = {p.alias.lower() for p in node.expressions if isinstance(p, exp.Alias)}
        for column in ctx.own_nodes(node, exp.Column):  # the walk of this SELECT the rules share
            assert isinstance(column, exp.Column)
            if isinstance(column.this, exp.Star) or column.args.get("db") or column.find_ancestor(exp.Lambda, exp.Select) is not node:
                continue
            name, table = column.name.lower(), column.table.lower()
            if table:
                known = outputs.get(table)
                missing = table in outputs and known is not None and name not in known
            else:
                missing = complete and name not in every and name not in aliases
            if missing:
                where = table if table else (next(iter(outputs)) if len(outputs) == 1 else "its inputs")
                ctx.report(
                    column,
                    f"column {column.sql()} is not an output of {where} (its columns: "
                    f"{', '.join(sorted(outputs.get(table) or every))}): Spark and the Flink planner reject the query",
                    severity=Severity.ERROR,
                    suggestion="select the column in the CTE / subquery, or read it from the table that has it",
                )
        return None
