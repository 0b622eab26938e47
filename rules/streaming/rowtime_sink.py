"""A sink takes one rowtime column: cast the other time attributes a query outputs."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.sqlglot_objects import data_type

J = pack_module(__file__, "_joins")

_EVENT_TIME = {"t": "ts"}
_INTERVAL = "FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '4' HOUR"


def _plain_type(node: exp.Expr, ctx: RuleContext) -> exp.DataType:
    """The declared type of a time attribute without its rowtime marker (TIMESTAMP(3) unless
    the schema says TIMESTAMP_LTZ: a CAST to another timestamp type would shift the value)."""
    declared = ctx.declared_type(node)
    if declared is not None and declared.is_type(
        exp.DataType.Type.TIMESTAMPLTZ, exp.DataType.Type.TIMESTAMPTZ
    ):
        return data_type("TIMESTAMP_LTZ(3)", dialect="flink")
    return data_type("TIMESTAMP(3)", dialect="flink")


class RowtimeColumnsIntoSink(Rule):
    """Spark has no time attributes: a query may output any number of timestamp columns.  In
    Flink a declared event-time column stays a *time attribute* (rowtime) through projections,
    subqueries, interval joins and window TVFs, and a sink accepts at most one: writing two
    (``SELECT l.ts, r.ts`` after an interval join, ``*`` over one, or the same event time
    selected twice) fails with "The query contains more than one rowtime attribute column
    [ts, ts0] for writing into table ...".  A plain CAST makes a column a regular timestamp
    (checked on the Flink 2.3 planner: ``CAST(r.ts AS TIMESTAMP(3))`` into a blackhole sink
    plans).

    For ``INSERT INTO`` and ``CREATE TABLE ... AS`` the rule keeps the first time attribute of
    the select list and casts every other one to ``TIMESTAMP(3)`` (``TIMESTAMP_LTZ(3)`` for a
    column declared TIMESTAMP_LTZ), keeping its output name; an INFO diagnostic names them.  A
    ``*`` that carries a second time attribute cannot be cast without the column list: that
    is an error for a sink statement.  A plain SELECT is only warned about (a preview may show
    both).  Aggregations and regular joins already materialize time attributes (plain
    TIMESTAMPs in their output) and are not reported; neither is the versioned side of a
    temporal join.
    """

    id = "SL4012"
    name = "single-rowtime-into-sink"
    title = "A sink takes one time attribute: the other event-time columns are cast to TIMESTAMP"
    node_types = (exp.Insert, exp.Create, exp.Select)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before=f"INSERT INTO joined SELECT l.a, l.ts, r.ts AS rts {_INTERVAL}",
            after=f"INSERT INTO joined SELECT l.a, l.ts, CAST(r.ts AS TIMESTAMP(3)) AS rts {_INTERVAL}",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before=f"INSERT INTO joined SELECT a, t1, t2 FROM (SELECT l.a, l.ts AS t1, r.ts AS t2 {_INTERVAL}) AS q",
            after=f"INSERT INTO joined SELECT a, t1, CAST(t2 AS TIMESTAMP(3)) AS t2 FROM (SELECT l.a, l.ts AS t1, r.ts AS t2 {_INTERVAL}) AS q",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="INSERT INTO joined SELECT a, ts, ts FROM t",
            after="INSERT INTO joined SELECT a, ts, CAST(ts AS TIMESTAMP(3)) AS ts FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before=f"SELECT l.a, l.ts, r.ts AS rts {_INTERVAL}",
            after=f"SELECT l.a, l.ts, r.ts AS rts {_INTERVAL}",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before=f"INSERT INTO joined SELECT l.a, l.ts, r.ts AS rts {_INTERVAL}",
            after=f"INSERT INTO joined SELECT l.a, l.ts, r.ts AS rts {_INTERVAL}",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Select):
            if node.parent is not None:
                return None
            query, sink = node, None
        else:
            query, sink = node.expression, node.this
            if isinstance(node, exp.Create) and str(node.args.get("kind") or "").upper() != "TABLE":
                return None
        if not isinstance(query, exp.Select):
            return None
        found = J.output_time_attributes(query, ctx)
        if len(found) < 2:
            return None
        names = ", ".join(name for _, name in found)
        target = sink.find(exp.Table) if isinstance(sink, exp.Expr) else None
        into = f" into {ctx.sql(target)}" if target is not None else ""
        if sink is None:
            ctx.report(
                query,
                f"the query outputs {len(found)} time attributes ({names}); fine to preview, but "
                "writing it to a sink fails in Flink (a sink takes one rowtime column)",
                severity=Severity.WARNING,
                suggestion="in the INSERT / CREATE TABLE AS, keep one event time and cast the "
                "others: CAST(r.ts AS TIMESTAMP(3)) AS rts",
            )
            return None
        kept, *others = found
        if any(isinstance(p.this if isinstance(p, exp.Alias) else p, exp.Star) or (
            isinstance(p, exp.Column) and isinstance(p.this, exp.Star)
        ) for p, _ in others):
            ctx.report(
                query,
                f"the query writes {len(found)} time attributes ({names}){into}, some through *: "
                "Flink rejects more than one rowtime column per sink",
                severity=Severity.ERROR,
                suggestion="list the columns instead of *, keep one event time and cast the "
                "others: CAST(r.ts AS TIMESTAMP(3)) AS rts",
            )
            return None
        cast_names = []
        for projection, _name in others:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            cast = exp.Cast(this=inner.copy(), to=_plain_type(inner, ctx))
            if isinstance(projection, exp.Alias):
                projection.set("this", cast)
            else:
                projection.replace(exp.alias_(cast, exp.to_identifier(projection.alias_or_name)))
            cast_names.append(f"{ctx.sql(inner)} to {ctx.sql(cast.to)}")
        ctx.report(
            query,
            f"the query writes {len(found)} time attributes ({names}){into}; a Flink sink takes "
            f"one rowtime column: kept {kept[1]} and cast {', '.join(cast_names)} (a regular "
            "timestamp, same value)",
            severity=Severity.INFO,
        )
        return node
