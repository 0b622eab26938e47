"""Spark's point-in-time join against a validity range becomes a Flink temporal join."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

J = pack_module(__file__, "_joins")

_EVENT_TIME = {"t": "ts"}


class PointInTimeToTemporalJoin(Rule):
    """In Spark, the version of a slowly changing dimension that was valid when a fact
    happened is found with a validity range: ``JOIN dim d ON f.k = d.k AND f.ts >=
    d.valid_from AND (f.ts < d.valid_to OR d.valid_to IS NULL)``; dbt snapshots (SCD type 2)
    provide exactly these columns, ``dbt_valid_from`` / ``dbt_valid_to``.  In Flink streaming
    this is a regular join: both inputs in state forever, and every change of the dimension
    retracts and re-emits joined rows.

    Flink's form of the same question is the **event-time temporal join**, ``JOIN dim FOR
    SYSTEM_TIME AS OF f.ts AS d ON f.k = d.k``: each fact row is joined with the version of
    ``dim`` valid at the fact's event time, the result is insert-only, and state is cleaned
    up as the watermarks advance.  The rule rewrites the Spark pattern into it when ``f.ts``
    is the declared event time of the left input, the join is INNER or LEFT, and the ON
    condition also has an equality on the dimension key; the validity-range predicates are
    dropped, since the temporal join's semantics replace them (the other conditions stay).
    Also recognised: ``f.ts < COALESCE(d.valid_to, <literal>)`` and ``f.ts BETWEEN
    d.valid_from AND COALESCE(d.valid_to, <literal>)``.  A range without the ``IS NULL`` /
    COALESCE branch (which excludes the current version) is not rewritten.

    The dimension must then be a *versioned table* in Flink: a PRIMARY KEY (the join key) NOT
    ENFORCED and a watermark, e.g. the changelog the snapshot is built from, read as an
    upsert-kafka table keyed on ``k``; not the SCD2 history table itself (several rows per
    key).  The rule says so in an INFO diagnostic; checked on the Flink 2.3 planner against
    such a table (the plan has a TemporalJoin).
    """

    id = "SL4011"
    name = "point-in-time-to-temporal-join"
    title = "A validity-range (SCD2 / dbt snapshot) join becomes a FOR SYSTEM_TIME AS OF temporal join"
    node_types = (exp.Join,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT f.a, d.v FROM t AS f JOIN dim AS d ON f.a = d.k AND f.ts >= d.dbt_valid_from "
            "AND (f.ts < d.dbt_valid_to OR d.dbt_valid_to IS NULL)",
            after="SELECT f.a, d.v FROM t AS f JOIN dim FOR SYSTEM_TIME AS OF f.ts AS d ON f.a = d.k",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT f.a, d.v FROM t AS f LEFT JOIN dim AS d ON f.a = d.k AND d.v <> 'x' "
            "AND f.ts BETWEEN d.dbt_valid_from AND coalesce(d.dbt_valid_to, TIMESTAMP '9999-12-31 00:00:00')",
            after="SELECT f.a, d.v FROM t AS f LEFT JOIN dim FOR SYSTEM_TIME AS OF f.ts AS d ON f.a = d.k AND d.v <> 'x'",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT f.a, d.v FROM t AS f JOIN dim AS d ON f.a = d.k AND f.ts >= d.dbt_valid_from "
            "AND (f.ts < d.dbt_valid_to OR d.dbt_valid_to IS NULL)",
            after="SELECT f.a, d.v FROM t AS f JOIN dim AS d ON f.a = d.k AND f.ts >= d.dbt_valid_from "
            "AND (f.ts < d.dbt_valid_to OR d.dbt_valid_to IS NULL)",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Join)
        found = J.point_in_time(node, ctx)
        if found is None:
            return None
        table = node.this.copy()
        table.set(
            "version", exp.Version(this="TIMESTAMP", kind="AS OF", expression=found.fact_time.copy())
        )
        joined = node.copy()
        joined.set("this", table)
        joined.set("on", exp.and_(*(c.copy() for c in found.rest)) if found.rest else None)
        dim = node.this.name
        keys = ", ".join(d.name for _, d in found.keys)
        fact = ctx.sql(found.fact_time)
        ctx.report(
            node,
            f"point-in-time join on {ctx.sql(found.valid_from)} / {ctx.sql(found.valid_to)} "
            f"became an event-time temporal join (FOR SYSTEM_TIME AS OF {fact}): each row joins the "
            f"version of {dim} valid at {fact}, insert-only; the validity-range predicates were "
            f"replaced by the temporal join semantics. {dim} must be a versioned table: PRIMARY KEY "
            f"({keys}) NOT ENFORCED and a watermark",
            severity=Severity.INFO,
            suggestion=f"declare {dim} as the versioned source of the snapshot (e.g. an upsert-kafka "
            f"table with PRIMARY KEY ({keys}) NOT ENFORCED and WATERMARK FOR its update time), not "
            "the SCD2 history table (several rows per key)",
        )
        return joined
