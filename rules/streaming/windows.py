"""Spark time bucketing (window(), session_window(), date_trunc) becomes a Flink window TVF."""

from __future__ import annotations

import re

from sqlglot import exp

from shiftleft.derive.windowing import BucketInput, bucket_input
from shiftleft.dialects.flink_parser import DescriptorArgument, TableArgument
from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.rewrite.walk import bare_copy, own_nodes_bfs
from shiftleft.streaming.catalog import rule_catalog

H = pack_module(__file__, "_helpers")

#: a window needs a time attribute that cannot be found
NO_TIME_ID = "SL4109"
#: a time bucket over an updating input (a window TVF would drop late updates)
UPDATING_ID = "SL4110"

_EVENT_TIME = {"t": "ts"}
_SPARK_WINDOWS = {"window": "window", "session_window": "session_window"}
_UNIT_SECONDS = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}
_DURATION_PART = re.compile(r"(\d+)\s*(week|day|hour|minute|min|second|sec)s?\b", re.IGNORECASE)


#: a Flink interval literal: INTERVAL '<count>' <unit>
Interval = tuple[int, str]


def _interval(interval: Interval) -> exp.Interval:
    count, unit = interval
    return exp.Interval(this=exp.Literal.string(str(count)), unit=exp.var(unit))


def _duration(node: exp.Expr | None) -> Interval | None:
    """Flink interval for a Spark duration string ('10 minutes', '1 hour 30 minutes'), or None."""
    if not isinstance(node, exp.Literal) or not node.is_string:
        return None
    text = node.this.strip().lower().removeprefix("interval").strip()
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        return None
    scale = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "min": 60, "second": 1, "sec": 1}
    total = sum(int(n) * scale[u.lower()] for n, u in parts)
    if total <= 0:
        return None
    for unit, seconds in _UNIT_SECONDS.items():
        if total % seconds == 0:
            return total // seconds, unit
    return None


_NO_TIME = "no time attribute: "
_UPDATING = "updating input: "


class _Bucket:
    """One time-bucket GROUP BY key: which TVF, on which column, with which intervals."""

    def __init__(self, key: exp.Expr, kind: str, column: exp.Expr, intervals: list[Interval | None], spark_fn: str | None) -> None:
        self.key = key
        self.kind = kind  # TUMBLE | HOP | SESSION
        self.column = column
        self.intervals = intervals
        self.spark_fn = spark_fn  # "window" / "session_window", or None for date_trunc / FLOOR


def _bucket(key: exp.Expr) -> _Bucket | None:
    if isinstance(key, exp.Anonymous) and str(key.name).lower() in _SPARK_WINDOWS:
        fn = str(key.name).lower()
        args = key.expressions
        column = args[0] if args else exp.Null()
        if fn == "session_window":
            return _Bucket(key, "SESSION", column, [_duration(a) for a in args[1:2]] if len(args) == 2 else [None], fn)
        if len(args) == 2:
            return _Bucket(key, "TUMBLE", column, [_duration(args[1])], fn)
        if len(args) == 3:  # window(ts, size, slide) -> HOP(..., slide, size)
            return _Bucket(key, "HOP", column, [_duration(args[2]), _duration(args[1])], fn)
        return _Bucket(key, "TUMBLE", column, [None], fn)  # start offsets are not translated
    if isinstance(key, exp.Floor) and key.args.get("to") is not None:
        unit = key.args["to"].name.upper()
        return _Bucket(key, "TUMBLE", key.this, [(1, unit) if unit in _UNIT_SECONDS else None], None)
    if isinstance(key, exp.TimestampTrunc) and key.args.get("unit") is not None:
        unit = key.args["unit"].name.upper()
        return _Bucket(key, "TUMBLE", key.this, [(1, unit) if unit in _UNIT_SECONDS else None], None)
    return None


def _window_field(col: exp.Column) -> str | None:
    """'start' / 'end' for a reference to Spark's window struct (window.start), else None."""
    if col.table and col.table.lower() in _SPARK_WINDOWS and col.name.lower() in ("start", "end"):
        return col.name.lower()
    return None


class TimeBucketToWindowTvf(Rule):
    """Spark groups rows into time buckets with GROUP BY window(ts, '10 minutes') (tumbling),
    window(ts, '10 minutes', '5 minutes') (sliding), session_window(ts, '5 minutes') or
    a truncated timestamp (date_trunc('hour', ts), which SL1014 writes FLOOR(ts TO
    HOUR)), and reads the bucket as window.start / window.end.

    Flink has no window() function.  Its windowing is a table-valued function over the
    event-time attribute: FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTE))
    GROUP BY window_start, window_end, ... (HOP(..., slide, size), SESSION(TABLE t
    PARTITION BY keys, DESCRIPTOR(ts), gap)).  A window aggregation emits each bucket once,
    when the watermark passes its end, and then drops its state: an insert-only result with
    bounded state.  A plain GROUP BY FLOOR(ts TO HOUR) is valid Flink too, but it is a
    regular aggregation: updating, and its state grows forever, so in streaming mode the rule
    rewrites it.  Spark buckets are aligned on the epoch, as Flink's windows are.

    The rewrite needs the bucket to be on the declared event-time column of the only table of
    the FROM clause (no joins, no subqueries); otherwise the rule explains why the query stays
    a regular GROUP BY.  window.start / window.end and the bucket expression in the
    select list become window_start / window_end.  Session windows are partitioned by
    the other GROUP BY keys (Spark sessionizes per group).  Flink window units are SECOND to
    DAY (checked on Flink 2.3: MONTH / YEAR are rejected), so WEEK, MONTH, QUARTER and YEAR
    buckets are not rewritten.  window() / session_window() are rewritten in batch mode
    too (Flink batch has no other form of them); date_trunc buckets are left alone in batch.
    """

    id = "SL4007"
    name = "time-bucket-to-window-tvf"
    title = "GROUP BY window() / session_window() / date_trunc on event time becomes a window TVF"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT `window`.start AS ws, `window`.end AS we, count(*) AS c FROM t GROUP BY `window`(ts, '10 minutes')",
            after="SELECT window_start AS ws, window_end AS we, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) GROUP BY window_start, window_end",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, `window`.start AS ws, sum(b) AS s FROM t GROUP BY a, `window`(ts, '10 minutes', '5 minutes')",
            after="SELECT a, window_start AS ws, SUM(b) AS s FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE)) GROUP BY a, window_start, window_end",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, session_window.start AS ws, count(*) AS c FROM t GROUP BY a, session_window(ts, '5 minutes')",
            after="SELECT a, window_start AS ws, COUNT(*) AS c FROM TABLE(SESSION(TABLE t PARTITION BY a, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY a, window_start, window_end",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT date_trunc('hour', ts) AS h, count(*) AS c FROM t WHERE a > 0 GROUP BY date_trunc('hour', ts) HAVING count(*) > 1",
            after="SELECT window_start AS h, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' HOUR)) WHERE a > 0 GROUP BY window_start, window_end HAVING COUNT(*) > 1",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT date_trunc('hour', l.ts) AS h, count(*) AS c FROM t AS l JOIN t AS r ON l.a = r.a GROUP BY date_trunc('hour', l.ts)",
            after="SELECT FLOOR(l.ts TO HOUR) AS h, COUNT(*) AS c FROM t AS l JOIN t AS r ON l.a = r.a GROUP BY FLOOR(l.ts TO HOUR)",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT date_trunc('hour', ts) AS h, count(*) AS c FROM t GROUP BY date_trunc('hour', ts)",
            after="SELECT FLOOR(ts TO HOUR) AS h, COUNT(*) AS c FROM t GROUP BY FLOOR(ts TO HOUR)",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT `window`.start AS ws, count(*) AS c FROM t GROUP BY `window`(ts, '1 day')",
            after="SELECT window_start AS ws, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' DAY)) GROUP BY window_start, window_end",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        group = node.args.get("group")
        if group is None or not group.expressions:
            return None
        buckets = [b for b in (_bucket(k) for k in group.expressions) if b is not None]
        if not buckets:
            return None
        bucket = buckets[0]
        if bucket.spark_fn is None and ctx.mode != Mode.STREAMING:
            return None  # a date_trunc GROUP BY is a fine batch aggregation
        reason = self._why_not(node, group, buckets)
        if reason is None:
            reason = self._input_verdict(node, bucket, ctx)
        if reason is not None:
            if bucket.spark_fn is not None:
                ctx.report(
                    bucket.key,
                    f"{bucket.spark_fn}() has no Flink function and cannot become a window TVF here: "
                    f"{reason.removeprefix(_NO_TIME)}",
                    severity=Severity.ERROR,
                    suggestion="group over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL ...)) "
                    "GROUP BY window_start, window_end (HOP / SESSION for sliding / session windows) "
                    "on the table's event-time column (declare it: --event-time t.ts)",
                    rule_id=NO_TIME_ID if reason.startswith(_NO_TIME) else None,
                )
            elif reason.startswith(_UPDATING):
                ctx.report(
                    bucket.key,
                    f"GROUP BY {H.column_sql(bucket.key)} stays a regular aggregation: {reason[len(_UPDATING):]}; "
                    "the regular aggregation is exact (an updating result, state kept per bucket)",
                    severity=Severity.WARNING,
                    suggestion="keep it (set a state TTL to bound the state), or aggregate the insert-only "
                    "source before it is deduplicated / upserted",
                    rule_id=UPDATING_ID,
                )
            elif reason.startswith(_NO_TIME) or H.any_event_time(node, ctx):
                ctx.report(
                    bucket.key,
                    f"GROUP BY {H.column_sql(bucket.key)} stays a regular aggregation ({reason.removeprefix(_NO_TIME)}): "
                    "Flink emits an updating result and keeps every bucket in state forever",
                    severity=Severity.WARNING if H.any_event_time(node, ctx) else Severity.INFO,
                    suggestion="aggregate over a window TVF on the event-time column: FROM TABLE(TUMBLE("
                    "TABLE t, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end "
                    "(declare the event time: --event-time t.ts); or set a state TTL (table.exec.state.ttl)",
                    rule_id=NO_TIME_ID if reason.startswith(_NO_TIME) else None,
                )
            return None
        if self._updating(node, bucket, ctx):  # window() has no exact form: rewritten, and said
            ctx.report(
                bucket.key,
                f"{bucket.spark_fn}() becomes a window TVF over an updating input: "
                f"{self._updating(node, bucket, ctx)}",
                severity=Severity.WARNING,
                suggestion="window the insert-only source instead (before the dedup / upsert), or "
                "group by FLOOR(ts TO unit) for an exact, updating result",
                rule_id=UPDATING_ID,
            )
        self._rewrite(node, group, bucket, ctx)
        return node

    @staticmethod
    def _input(node: exp.Select, bucket: _Bucket, ctx: RuleContext) -> tuple[exp.Table, BucketInput]:
        table = node.args["from_"].this
        key = ("SL4007-input", id(node))
        if key not in ctx.memo:
            assert isinstance(bucket.column, exp.Column)
            ctx.memo[key] = bucket_input(table, bucket.column.name, rule_catalog(ctx))
        return table, ctx.memo[key]

    @classmethod
    def _input_verdict(cls, node: exp.Select, bucket: _Bucket, ctx: RuleContext) -> str | None:
        """The derivation's word on the FROM input: the bucket column must be one of its time
        attributes; an updating input keeps a date_trunc bucket a regular GROUP BY."""
        table, found = cls._input(node, bucket, ctx)
        assert isinstance(bucket.column, exp.Column)
        if not found.time_attribute:
            return _NO_TIME + found.missing_time(H.column_sql(bucket.column), table.name)
        if found.updating and bucket.spark_fn is None:
            return _UPDATING + found.updating_reason(table.name)
        return None

    @classmethod
    def _updating(cls, node: exp.Select, bucket: _Bucket, ctx: RuleContext) -> str | None:
        table, found = cls._input(node, bucket, ctx)
        return found.updating_reason(table.name) if found.updating else None

    @staticmethod
    def _why_not(node: exp.Select, group: exp.Group, buckets: list[_Bucket]) -> str | None:
        bucket = buckets[0]
        if len(buckets) > 1:
            return "it groups by more than one time bucket"
        if any(group.args.get(k) for k in ("grouping_sets", "cube", "rollup")):
            return "GROUPING SETS / CUBE / ROLLUP are not rewritten"
        if None in bucket.intervals:
            return "the bucket size is not a literal duration of seconds to days"
        source = node.args.get("from_")
        table = source.this if source is not None else None
        if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
            return "the FROM clause is not a single table"
        if node.args.get("joins") or node.args.get("laterals"):
            return "the query joins several inputs"
        if not isinstance(bucket.column, exp.Column):
            return f"{_NO_TIME}{H.column_sql(bucket.column)} is not a column of {table.name}"
        for col in own_nodes_bfs(node, exp.Column):
            if col.name.lower() in _SPARK_WINDOWS and not col.table:
                return "the window struct itself is selected (only window.start / window.end map to Flink)"
            if col.table and col.table.lower() in _SPARK_WINDOWS and not _window_field(col):
                return f"{col.sql('spark')} has no Flink window column"
        if bucket.kind == "SESSION":
            others = [k for k in group.expressions if k is not bucket.key]
            if not all(isinstance(k, exp.Column) for k in others):
                return "a session window is partitioned by its other GROUP BY keys, which must be columns"
        return None

    @staticmethod
    def _rewrite(node: exp.Select, group: exp.Group, bucket: _Bucket, ctx: RuleContext) -> None:
        source = node.args["from_"]
        table = source.this
        alias = table.args.get("alias")
        bare = bare_copy(table)  # the TVF's nodes carry no input positions
        bare.set("alias", None)
        assert isinstance(bucket.column, exp.Column)

        def column(name: str) -> exp.Column:
            # a name as the Flink reader reads it back from its printed form (quoted when printed so)
            identifier = exp.to_identifier(name)
            return exp.column(exp.to_identifier(name, quoted=ctx.sql(identifier).startswith("`")))

        partition = None
        if bucket.kind == "SESSION":
            others = [k for k in group.expressions if k is not bucket.key]
            partition = [column(k.name) for k in others] or None
        arguments: list[exp.Expr] = [
            TableArgument(this=bare, partition_by=partition),
            DescriptorArgument(expressions=[column(bucket.column.name)]),
            *(_interval(i) for i in bucket.intervals if i),
        ]
        call = exp.Anonymous(this=bucket.kind, expressions=arguments)
        tvf = exp.Table(this=exp.Anonymous(this="TABLE", expressions=[call]))
        if alias is not None:
            tvf.set("alias", alias.copy())
        # the bucket expression and window.start / window.end become window_start / window_end
        for projection in list(node.expressions):
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            if inner == bucket.key:
                replacement = exp.column("window_start")
                if isinstance(projection, exp.Alias):
                    inner.replace(replacement)
                else:
                    projection.replace(replacement)
        for col in own_nodes_bfs(node, exp.Column):
            if _window_field(col):
                col.replace(exp.column(f"window_{_window_field(col)}"))
        for key in ("having", "order", "qualify"):
            clause = node.args.get(key)
            if clause is None:
                continue
            for found in list(clause.find_all(type(bucket.key))):
                if found == bucket.key:
                    found.replace(exp.column("window_start"))
        keys: list[exp.Expr] = []
        for key in group.expressions:
            if key is bucket.key:
                keys.extend([exp.column("window_start"), exp.column("window_end")])
            else:
                keys.append(key.copy())
        group.set("expressions", keys)
        source.set("this", tvf)
