"""Bare NULL columns in UNION branches: typed in Spark by the other branches, illegal in Flink."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_typing import inferred_counterpart, known_type
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import find_all, select_inputs


def _branches(node: exp.Expr) -> list[exp.Select]:
    if isinstance(node, exp.Union):  # UNION / INTERSECT / EXCEPT
        return [*_branches(node.left), *_branches(node.right)]
    if isinstance(node, exp.Subquery):
        return _branches(node.this)
    return [node] if isinstance(node, exp.Select) else []


def _bare_null(projection: exp.Expr) -> bool:
    inner = projection.this if isinstance(projection, exp.Alias) else projection
    return isinstance(inner, exp.Null)


def _untypable(projection: exp.Expr, branch: exp.Select, ctes: set[str]) -> bool:
    """Whether type annotation of the statement (without a schema) can only leave
    ``projection`` of ``branch`` UNKNOWN: a plain column, not naming another projection's
    alias (Spark reads those as lateral aliases), of a branch that reads only tables that are
    neither CTEs (``ctes``: every CTE name of the statement, lower case) nor anything else
    (subqueries, UNNEST, LATERAL VIEW, PIVOT), its qualifier one of them: such a column's type
    comes from the schema alone.  Annotating a whole statement costs more than the rest of its
    rules together; unions of tables no schema describes are the common case."""
    inner = projection.this if isinstance(projection, exp.Alias) else projection
    if not isinstance(inner, exp.Column) or not isinstance(inner.this, exp.Identifier):
        return False
    if inner.args.get("db") or inner.args.get("catalog") or branch.args.get("laterals") or not branch.args.get("from_"):
        return False
    names = set()
    for source in select_inputs(branch):
        if not isinstance(source, exp.Table) or not isinstance(source.this, exp.Identifier) or source.args.get("pivots"):
            return False
        if source.name.lower() in ctes:
            return False
        names.add(source.alias_or_name.lower())
    if inner.table and inner.table.lower() not in names:
        return False
    name = inner.name.lower()
    return not any(isinstance(p, exp.Alias) and p is not projection and p.alias.lower() == name for p in branch.expressions)


class TypedNullInUnion(Rule):
    """Spark (and DuckDB) give a ``NULL`` column of a UNION branch the type of the same column
    in the other branches (``SELECT a, b ... UNION ALL SELECT a, NULL ...``).  Flink's planner
    rejects an untyped NULL there ("Illegal use of 'NULL'").  The rule writes
    ``CAST(NULL AS <type>)`` with the type of that column in another branch, when it is known
    (a CAST, a literal, or ``schema=``) or inferred (sqlglot's type annotation of the qualified
    statement: a column of a CTE or subquery, an aggregate); otherwise it reports the NULL as
    an error.  Found by the TPC-DS verification (q27, q36).
    """

    id = "SL3007"
    name = "typed-null-in-union"
    title = "NULL columns of UNION branches get the type of the other branches"
    node_types = (exp.Union,)
    examples = (
        Example(
            before="SELECT a, s FROM t UNION ALL SELECT a, NULL FROM t",
            after="SELECT a, s FROM t UNION ALL SELECT a, CAST(NULL AS STRING) FROM t",
            types={"t": {"a": "INT", "s": "STRING"}},
        ),
        Example(
            before="SELECT NULL AS x, a FROM t UNION ALL SELECT CAST(b AS BIGINT) AS x, a FROM t",
            after="SELECT CAST(NULL AS BIGINT) AS x, a FROM t UNION ALL SELECT TRY_CAST(b AS BIGINT) AS x, a FROM t",
        ),
        Example(
            before="SELECT a, s FROM t UNION ALL SELECT a, NULL FROM t",
            after="SELECT a, s FROM t UNION ALL SELECT a, NULL FROM t",
            diagnoses=True,
        ),
        Example(
            before="WITH r AS (SELECT s, a FROM t) SELECT s, AVG(a) AS m FROM r GROUP BY s "
            "UNION ALL SELECT NULL AS s, AVG(a) AS m FROM r",
            after="WITH r AS (SELECT s, a FROM t) SELECT s, AVG(CAST(a AS DOUBLE)) AS m FROM r GROUP BY s "
            "UNION ALL SELECT CAST(NULL AS STRING) AS s, AVG(CAST(a AS DOUBLE)) AS m FROM r",
            types={"t": {"a": "INT", "s": "STRING"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Union)
        if isinstance(node.parent, exp.Union):
            return None  # the outermost set operation handles all branches
        branches = _branches(node)
        width = min((len(b.expressions) for b in branches), default=0)
        changed = False
        #: the branches of the annotated copy; kept while this rule has not changed the tree
        inferred: list[exp.Select] | None = None
        #: the statement's CTE names, when no schema is given (see _untypable)
        ctes: set[str] | None = None
        for i in range(width):
            nulls = [b.expressions[i] for b in branches if _bare_null(b.expressions[i])]
            if not nulls:
                continue
            known = None
            for k, branch in enumerate(branches):
                projection = branch.expressions[i]
                if _bare_null(projection):
                    continue
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                known = ctx.declared_type(inner)
                if known is None and not ctx.schema:
                    if ctes is None:
                        ctes = {c.alias_or_name.lower() for c in find_all(node.root(), exp.CTE)}
                    if _untypable(projection, branch, ctes):
                        continue  # annotation would say UNKNOWN
                if known is None:
                    if inferred is None:
                        twin = inferred_counterpart(node, ctx.schema, ctx.read, ctx.memo)
                        inferred = _branches(twin) if twin is not None else []
                    if len(inferred) == len(branches) and i < len(inferred[k].expressions):
                        known = known_type(inferred[k].expressions[i])
                if known is not None:
                    break
            for projection in nulls:
                null = projection.this if isinstance(projection, exp.Alias) else projection
                if known is None:
                    ctx.report(
                        null,
                        "an untyped NULL in a UNION branch is rejected by Flink and the type of "
                        "this column is not known",
                        severity=Severity.ERROR,
                        suggestion="write CAST(NULL AS <type>), or declare the column types with schema=",
                    )
                    continue
                null.replace(exp.Cast(this=exp.Null(), to=known.copy()))
                changed = True
                inferred = None  # the tree changed: annotate again when needed
        return node if changed else None
