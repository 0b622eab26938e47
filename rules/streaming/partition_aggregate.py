"""A whole-partition window aggregate (``sum(x) OVER (PARTITION BY k)``) becomes a join with
the grouped aggregate in streaming."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.rewrite.walk import bare_copy, own_nodes
from shiftleft.tree import select_inputs

P = pack_module(__file__, "_partitions")


def _qualified_stars(select: exp.Select) -> list[exp.Expr] | None:
    """``*`` as ``a.*, b.*`` over the SELECT's own inputs (so the join's columns stay out);
    None when an input has no name to qualify with."""
    stars: list[exp.Expr] = []
    for source in select_inputs(select):
        name = source.alias_or_name
        if not name:
            return None
        stars.append(exp.Column(this=exp.Star(), table=exp.to_identifier(name)))
    return stars


class PartitionAggregateToJoin(Rule):
    """Spark computes ``sum(x) OVER (PARTITION BY k)`` over each finished partition: every row
    gets the total of its partition.  Flink streaming rejects an OVER window without ORDER BY
    (rows arrive without end; SL4004), but the same value is the partition's grouped aggregate
    joined back to the rows: ``JOIN (SELECT k, SUM(x) FROM ... GROUP BY k) ON k IS NOT
    DISTINCT FROM ...`` (a NULL key is a partition too, as in Spark).  Flink keeps both sides
    in state and updates every row of a partition when a new row arrives, so the result is
    updating and its final state is Spark's answer (checked on Flink 2.3 against DuckDB).

    The aggregate side repeats the SELECT's FROM, joins and WHERE, so it sees the same rows;
    windows sharing a PARTITION BY share one join; ``*`` becomes the inputs' qualified stars.
    Only order-free aggregates (SUM, COUNT, MIN, MAX, AVG, STDDEV, VARIANCE) over the whole
    partition are rewritten (no ORDER BY, or one with ``ROWS / RANGE BETWEEN UNBOUNDED
    PRECEDING AND UNBOUNDED FOLLOWING``; named windows are resolved), in SELECTs without
    GROUP BY / DISTINCT / QUALIFY; anything else keeps its SL4004 error.  FIRST_VALUE /
    LAST_VALUE over a whole partition would be a Top-1 joined back, but Flink 2.3 plans a
    Top-1 on a non-time order under a join as insert-only and loses its updates (checked), so
    they stay reported.  Batch mode runs the window as written, except a DISTINCT aggregate
    (Snowflake's ``COUNT(DISTINCT x) OVER (PARTITION BY k)``, ``ARRAY_UNIQUE_AGG``), which
    Flink rejects under OVER in batch mode too ("Distinct not supported in Windowing
    function"): that SELECT gets the join form, or an error where the rule cannot apply.
    A QUALIFY stays on the joined rows (each row has exactly one partner, so it filters the
    same rows).
    """

    id = "SL4014"
    name = "partition-aggregate-to-join"
    title = "a whole-partition window aggregate becomes a join with its grouped aggregate (streaming)"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, b - sum(b) OVER (PARTITION BY s) AS diff FROM t",
            after="SELECT a, b - __sl_w1.__sl_a1 AS diff FROM t JOIN (SELECT s AS __sl_k1, "
            "SUM(b) AS __sl_a1 FROM t GROUP BY s) AS __sl_w1 "
            "ON s IS NOT DISTINCT FROM __sl_w1.__sl_k1",
            diagnoses=True,
        ),
        Example(
            before="SELECT *, count(*) OVER () AS n FROM t AS a WHERE a.x > 0",
            after="SELECT a.*, __sl_w1.__sl_a1 AS n FROM t AS a CROSS JOIN (SELECT COUNT(*) AS __sl_a1 "
            "FROM t AS a WHERE a.x > 0) AS __sl_w1 WHERE a.x > 0",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, max(b) OVER w AS m FROM t WINDOW w AS (PARTITION BY a ORDER BY ts "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
            after="SELECT a, __sl_w1.__sl_a1 AS m FROM t JOIN (SELECT a AS __sl_k1, MAX(b) AS __sl_a1 FROM t "
            "GROUP BY a) AS __sl_w1 ON a IS NOT DISTINCT FROM __sl_w1.__sl_k1",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a) AS s FROM t",
            mode=Mode.BATCH,
        ),
        Example(
            before="SELECT a, COUNT(DISTINCT s) OVER (PARTITION BY a) AS n FROM t", read="snowflake",
            after="SELECT a, __sl_w1.__sl_a1 AS n FROM t JOIN (SELECT a AS __sl_k1, COUNT(DISTINCT s) AS __sl_a1 "
            "FROM t GROUP BY a) AS __sl_w1 ON a IS NOT DISTINCT FROM __sl_w1.__sl_k1",
            mode=Mode.BATCH, diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        if not ctx.own_nodes(node, exp.Window):  # the shared walk first: most SELECTs have none
            return None
        batch = ctx.mode is Mode.BATCH
        if batch and not P.distinct_windows(node):
            return None  # batch runs the windows as written
        if not P.rewritable(node):
            if batch:
                for window in P.distinct_windows(node):
                    ctx.report(
                        window,
                        "Flink has no DISTINCT aggregate in an OVER window in batch mode ('Distinct not "
                        "supported in Windowing function')",
                        severity=Severity.ERROR,
                        suggestion="compute it per partition with GROUP BY and join it back to the rows",
                    )
            return None
        projections = list(node.expressions)
        if any(isinstance(p, exp.Star) for p in projections):
            stars = _qualified_stars(node)
            if stars is None:
                return None  # SL4004 reports the windows
            projections = [s for p in projections for s in (stars if isinstance(p, exp.Star) else [p])]
        groups: dict[tuple[str, ...], list[tuple[exp.Window, Any]]] = {}
        for projection in projections:
            for window in own_nodes(projection, exp.Window):
                assert isinstance(window, exp.Window)
                shape = P.shape(window, node)
                key = tuple(ctx.sql(k) for k in shape.keys)
                groups.setdefault(key, []).append((window, shape))
        node.set("expressions", projections)  # before the windows are replaced: a bare window is a projection
        base = bare_copy(node)
        for key in P.COPY_DROPS:
            base.set(key, None)
        for number, members in enumerate(groups.values(), start=1):
            node.append("joins", _join(base, members, f"__sl_w{number}"))
        node.set("windows", None)
        if batch:
            ctx.report(
                node,
                "a DISTINCT aggregate over a whole partition (rejected under OVER by Flink batch) became "
                "a join with the partition's grouped aggregate",
                severity=Severity.INFO,
            )
            return node
        ctx.report(
            node,
            "a window aggregate over a whole partition became a join with the partition's grouped "
            "aggregate: the result is updating (each new row updates its partition's "
            "rows) and Flink keeps the partitions' rows in state",
            suggestion="set a state TTL (table.exec.state.ttl) if old partitions may be forgotten",
        )
        return node


def _join(base: exp.Select, members: list[tuple[exp.Window, Any]], alias: str) -> exp.Join:
    """The join bringing one group of windows' values (same PARTITION BY); each window is
    replaced by its column of the joined side."""
    keys = members[0][1].keys
    key_names = [f"__sl_k{i}" for i in range(1, len(keys) + 1)]
    side = base.copy()
    columns: list[exp.Expr] = [exp.alias_(bare_copy(k), n) for k, n in zip(keys, key_names)]
    for index, (window, shape) in enumerate(members, start=1):
        name = f"__sl_a{index}"
        columns.append(exp.alias_(bare_copy(shape.value), name))
        window.replace(exp.column(name, table=alias))
    side.set("expressions", columns)
    if keys:
        side.set("group", exp.Group(expressions=[bare_copy(k) for k in keys]))
    join = exp.Join(this=exp.alias_(exp.Subquery(this=side), alias, table=True))
    if keys:
        on = [exp.NullSafeEQ(this=bare_copy(k), expression=exp.column(n, table=alias)) for k, n in zip(keys, key_names)]
        join.set("on", exp.and_(*on))
    else:
        join.set("kind", "CROSS")
    return join
