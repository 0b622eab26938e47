"""A column read from a CTE or a subquery that does not output it: invalid input."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import cte_named, select_inputs

#: how deep a ``*`` is followed through CTEs and subqueries before the columns are unknown
_DEPTH = 16


def _alias_columns(node: exp.Expr) -> list[str] | None:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.columns:
        return [c.name.lower() for c in alias.columns]
    return None


def _outputs(source: exp.Expr, ctx: RuleContext, depth: int = 0) -> list[str] | None:
    """The output names of a FROM / JOIN input when they are known: a CTE or a subquery whose
    columns are listed, or come from ``*`` of such (None: a table, an UNNEST, ... or a ``*``
    of one).  A CTE's are found once per depth for all the SELECTs that read it
    (:meth:`RuleContext.fact`: a chain of CTEs each reading the last with ``*`` was followed
    again from every SELECT)."""
    if depth > _DEPTH or source.args.get("pivots"):  # PIVOT / UNPIVOT make other columns
        return None
    if not isinstance(source, (exp.Table, exp.Subquery)):
        return None  # an UNNEST's alias lists its elements' columns, not WITH ORDINALITY's
    named = _alias_columns(source)
    if named is not None:
        return named
    if isinstance(source, exp.Table):
        if not isinstance(source.this, exp.Identifier) or source.args.get("db"):
            return None
        cte = cte_named(source)
        if cte is None:
            return None
        return _alias_columns(cte) or ctx.fact(f"cte-outputs-{depth + 1}", cte.this, lambda q: _query_outputs(q, ctx, depth + 1))
    if isinstance(source, exp.Subquery):
        return _query_outputs(source.this, ctx, depth + 1)
    return None


def _query_outputs(query: exp.Expr, ctx: RuleContext, depth: int) -> list[str] | None:
    while isinstance(query, exp.SetOperation):
        query = query.this
    if isinstance(query, exp.Subquery):
        return _query_outputs(query.this, ctx, depth + 1)
    if not isinstance(query, exp.Select):
        return None
    names: list[str] = []
    for projection in query.expressions:
        star = projection if isinstance(projection, exp.Star) else None
        if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            star = projection.this
        if star is not None:
            if any(star.args.get(m) for m in ("except_", "replace", "rename")):
                return None
            qualifier = projection.table.lower() if isinstance(projection, exp.Column) else ""
            inputs = [s for s in _inputs(query) if not qualifier or s.alias_or_name.lower() == qualifier]
            if not inputs:
                return None
            for inner in inputs:
                found = _outputs(inner, ctx, depth + 1)
                if found is None:
                    return None
                names.extend(found)
        elif projection.alias_or_name:
            names.append(projection.alias_or_name.lower())
        else:
            return None
    return names


def _inputs(select: exp.Select) -> list[exp.Expr]:
    """The FROM / JOIN inputs, or [] when the SELECT has inputs beyond them (LATERAL VIEW)."""
    return [] if select.args.get("laterals") else select_inputs(select)


def _may_correlate(select: exp.Select) -> bool:
    """Whether ``select`` is (inside) a subquery expression, whose columns may be the outer
    query's."""
    node: exp.Expr | None = select
    while node is not None and not isinstance(node, exp.CTE):
        parent = node.parent
        if isinstance(node, exp.Subquery) and not isinstance(parent, (exp.From, exp.Join)):
            return True
        if isinstance(parent, (exp.Exists, exp.In)) or isinstance(parent, exp.Lateral):
            return True
        node = parent
    return False


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
        outputs = {s.alias_or_name.lower(): _outputs(s, ctx) for s in inputs}
        if all(o is None for o in outputs.values()):
            return None
        complete = all(o is not None for o in outputs.values()) and not _may_correlate(node)
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
