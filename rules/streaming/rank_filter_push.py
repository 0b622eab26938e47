"""A rank filter in the outer query (``WHERE r.rn = 1`` next to joins) moves into the ranked
input, where Flink plans it as a Top-N / deduplication."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.derive.rank import apply_rank_pushes, rank_pushes
from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext

_CTE = "WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) "
_RANKED = "WITH ranked AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) "


class RankFilterPushdown(Rule):
    """dbt models often rank in a CTE and filter the rank where the CTE is joined::

        WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM stg)
        SELECT s.id, r.kind FROM stg AS s JOIN ranked AS r ON s.user_id = r.user_id WHERE r.rn = 1

    Spark evaluates the window over the finished input and filters afterwards.  Flink streaming
    plans a Top-N (or a deduplication) only when the rank filter sits directly over the ranked
    query; otherwise the ranking is an OVER aggregation, which streaming rejects when it is
    ordered descending or by a non-time column (SL4004).  The rule moves the filter to the
    input, wrapping it as ``(SELECT * FROM ranked AS r WHERE r.rn = 1) AS r``, wherever that
    keeps the result (Flink's planner does the same moves, so the derivation then sees what
    Flink runs):

    * a WHERE conjunct, when no outer join null-extends the input, or after reducing the outer
      joins that do: the conjunct rejects NULLs of the input, so the rows those joins pad with
      NULLs are dropped anyway, and a LEFT join on the input becomes an inner join, a FULL join
      a RIGHT (or LEFT) join, a later RIGHT join an inner join (each change is reported);
    * an ON conjunct of the input's own inner or LEFT join (the filtered side is the right,
      null-extended one), or of the first inner or RIGHT join for the FROM.

    A CTE is never changed in place (other queries may read it unfiltered): only this reference
    is wrapped.  A subquery is wrapped the same way (its own WHERE runs before its window).
    Accepted filters are those of the Top-N detector (``r.rn = 1``, ``r.rn <= n``, ``r.rn <
    n``, ``n >= r.rn``, ``r.rn = n``, ``r.rn BETWEEN m AND n``) on a ``ROW_NUMBER`` / ``RANK``
    / ``DENSE_RANK`` projection of a CTE or a subquery.  The column must name its input
    (``r.rn``); a query without joins already has its filter over the ranked query and is left
    alone; an ON filter on the preserved side of an outer join keeps that side's rows and is
    left in place (with its SL4004 error when Flink cannot plan it).  After the rewrite the Top-N rules and the
    derivation see a proper Top-N: SL4001 says whether it is a deduplication or an updating
    Top-N, SL4002 reports RANK / DENSE_RANK (streaming supports ROW_NUMBER only), and SL4112
    reports a Top-1 Flink 2.3 plans insert-only (seen here for a Top-1 ascending on a non-time
    column, and for one ascending on the event time under a comma / inner join: Flink planned a
    ``Rank`` on ``ROWTIME ASC``, not a deduplication).  Checked on Flink 2.3 against DuckDB with
    generated queries (join kinds, filter forms, CTE or subquery).
    """

    id = "SL4015"
    name = "rank-filter-pushdown"
    title = "a rank filter next to joins (WHERE r.rn = 1) moves into the ranked input: a Top-N (streaming)"
    node_types = (exp.Select,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before=_CTE + "SELECT s.i, r.b FROM t AS s JOIN ranked AS r ON s.a = r.a WHERE r.rn = 1",
            after=_RANKED
            + "SELECT s.i, r.b FROM t AS s JOIN (SELECT * FROM ranked AS r WHERE r.rn = 1) AS r ON s.a = r.a",
            diagnoses=True,
        ),
        Example(
            before="SELECT s.i, r.b FROM t AS s JOIN (SELECT a, b, row_number() OVER (PARTITION BY a "
            "ORDER BY b DESC) AS k FROM t) AS r ON s.a = r.a WHERE s.i > 0 AND 3 >= r.k",
            after="SELECT s.i, r.b FROM t AS s JOIN (SELECT * FROM (SELECT a, b, ROW_NUMBER() OVER "
            "(PARTITION BY a ORDER BY b DESC) AS k FROM t) AS r WHERE r.k <= 3) AS r ON s.a = r.a WHERE s.i > 0",
            diagnoses=True,
        ),
        Example(
            before=_CTE + "SELECT r.i, s.b FROM ranked AS r JOIN t AS s ON s.a = r.a WHERE r.rn BETWEEN 1 AND 2",
            after=_RANKED + "SELECT r.i, s.b FROM (SELECT * FROM ranked AS r WHERE r.rn <= 2) AS r "
            "JOIN t AS s ON s.a = r.a",
            diagnoses=True,
        ),
        Example(  # the null-extended side of a LEFT JOIN: WHERE drops its unmatched rows
            before=_CTE + "SELECT s.i, r.b FROM t AS s LEFT JOIN ranked AS r ON s.a = r.a WHERE r.rn = 1",
            after=_RANKED
            + "SELECT s.i, r.b FROM t AS s JOIN (SELECT * FROM ranked AS r WHERE r.rn = 1) AS r ON s.a = r.a",
            diagnoses=True,
        ),
        Example(  # the latest row per key, joined where it is null-extended
            before=_CTE + "SELECT s.i, r.b FROM t AS s LEFT JOIN ranked AS r ON s.a = r.a AND r.rn = 1",
            after=_RANKED
            + "SELECT s.i, r.b FROM t AS s LEFT JOIN (SELECT * FROM ranked AS r WHERE r.rn = 1) AS r ON s.a = r.a",
            diagnoses=True,
        ),
        Example(  # an ON filter on the preserved side keeps that side's rows: left in place
            before=_CTE + "SELECT r.i, s.b FROM ranked AS r LEFT JOIN t AS s ON s.a = r.a AND r.rn = 1",
            after=_RANKED + "SELECT r.i, s.b FROM ranked AS r LEFT JOIN t AS s ON s.a = r.a AND r.rn = 1",
        ),
        Example(
            before=_CTE + "SELECT r.i FROM ranked AS r JOIN t AS s ON s.a = r.a WHERE r.rn BETWEEN 1 AND 2",
            after=_RANKED
            + "SELECT r.i FROM ranked AS r JOIN t AS s ON s.a = r.a WHERE r.rn BETWEEN 1 AND 2",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        pushes = rank_pushes(node)
        if not pushes:
            return None
        for before, after in apply_rank_pushes(node, pushes):
            ctx.report(
                node,
                f"the {before} JOIN became {f'a {after} JOIN' if after else 'an inner JOIN'}: the WHERE "
                "rank filter rejects the NULLs it null-extends with (Spark drops those rows too)",
                severity=Severity.INFO,
            )
        for push in pushes:
            ctx.report(
                node,
                f"the rank filter {ctx.sql(push.condition)} moved into {push.source.alias_or_name}, "
                f"so Flink plans a {push.ranks.label} there instead of an OVER aggregation",
                severity=Severity.INFO,
            )
        return node
