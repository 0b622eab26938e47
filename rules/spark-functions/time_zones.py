"""Time zone conversions from UTC to UTC: the value unchanged."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext

#: the names every engine reads as UTC (lower case)
_UTC = frozenset({"utc", "etc/utc", "gmt", "etc/gmt", "uct", "etc/uct", "universal", "etc/universal", "zulu", "etc/zulu"})
#: the readers whose AT TIME ZONE / FromTimeZone nodes are Spark's from_utc_timestamp / to_utc_timestamp
_SPARK = frozenset({"spark", "spark2", "databricks", "hive"})
_TIMESTAMPS = (exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ, exp.DType.TIMESTAMPNTZ)


def _zone(node: exp.Expr | None) -> str | None:
    """The zone a string literal names, UTC's aliases as ``utc``; None when not a literal."""
    if not isinstance(node, exp.Literal) or not node.is_string:
        return None
    name = node.name.strip().lower()
    return "utc" if name in _UTC else name


def _timestamp_cast(value: exp.Expr) -> bool:
    """Whether ``value`` is already a cast to a timestamp type."""
    return isinstance(value, (exp.Cast, exp.TryCast)) and value.to.this in _TIMESTAMPS


class SameZoneConversion(Rule):
    """A time zone conversion from UTC to UTC leaves the timestamp as it is:
    Spark's ``from_utc_timestamp(ts, 'UTC')`` / ``to_utc_timestamp(ts, 'UTC')`` (also
    ``'Etc/UTC'``, ``'GMT'``...) and ``convert_timezone('UTC', 'UTC', ts)`` (Spark, Databricks,
    Snowflake, Redshift), the default of dbt packages that convert to a project variable's zone
    (Fivetran's ``fivetran_convert_timezone``, ``shopify_timezone: UTC``).  Another zone to
    itself is not the identity: a local time in its spring DST gap moves an hour (Spark reads
    2020-03-08 02:30 in New York as 03:30), so only UTC's names are taken.  Flink has no AT TIME
    ZONE (SL9205 reports the other zones: ``CONVERT_TZ`` converts strings, drops the
    milliseconds, reads ``'+05:30'`` and unknown zones as UTC and resolves the DST overlap
    otherwise than Spark, all checked on Flink 2.3 against PySpark), so only this exact case
    is translated: the timestamp itself, cast to a timestamp when it is not one (Spark's
    TIMESTAMP, Flink's TIMESTAMP_LTZ, for Spark's functions; TIMESTAMP for convert_timezone's
    TIMESTAMP_NTZ)."""

    id = "SL1130"
    name = "same-zone-conversion"
    title = "from_utc_timestamp / to_utc_timestamp / convert_timezone from UTC to UTC are the timestamp"
    node_types = (exp.AtTimeZone, exp.FromTimeZone, exp.ConvertTimezone)
    examples = (
        Example(
            before="SELECT from_utc_timestamp(ts, 'UTC') AS u FROM t",
            after="SELECT CAST(ts AS TIMESTAMP_LTZ) AS u FROM t",
            types={"t": {"ts": "TIMESTAMP"}},
        ),
        Example(  # Fivetran's dbt packages on Spark, with their default zone
            before="SELECT from_utc_timestamp(to_utc_timestamp(CAST(s AS TIMESTAMP), 'Etc/UTC'), 'UTC') AS u FROM t",
            after="SELECT TRY_CAST(s AS TIMESTAMP_LTZ) AS u FROM t",
            types={"t": {"s": "STRING"}},
        ),
        Example(
            before="SELECT convert_timezone('UTC', 'UTC', s) AS u FROM t", read="snowflake",
            after="SELECT CAST(s AS TIMESTAMP) AS u FROM t",
        ),
        Example(
            before="SELECT from_utc_timestamp(ts, 'America/New_York') AS u FROM t",
            after="SELECT TRY_CAST(ts AS TIMESTAMP) AT TIME ZONE 'America/New_York' AS u FROM t",
            types={"t": {"ts": "TIMESTAMP"}},
        ),  # left to SL9205, which reports it
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.ConvertTimezone):
            source, target = _zone(node.args.get("source_tz")), _zone(node.args.get("target_tz"))
            value = node.args.get("timestamp")
            # UTC only: a zone with DST moves a local time of its spring gap (02:30 becomes 03:30)
            if source != "utc" or target != "utc" or value is None:
                return None
            return value.copy() if _timestamp_cast(value) else exp.Cast(this=value.copy(), to=exp.DataType.build("TIMESTAMP"))
        if ctx.read not in _SPARK or _zone(node.args.get("zone")) != "utc" or node.this is None:
            return None
        value = node.this
        if isinstance(value, exp.Cast) and value.to.this == exp.DType.TIMESTAMP:
            value = value.this  # the reader's cast of the operand: Spark casts to its TIMESTAMP
        if _timestamp_cast(value):
            return value.copy()
        declared = ctx.declared_type(value)
        # Spark's implicit cast of a string is its CAST, which SL3004 writes as TRY_CAST
        safe = declared is None or declared.this not in (*_TIMESTAMPS, exp.DType.DATE)
        return exp.TryCast(this=value.copy(), to=exp.DataType.build("TIMESTAMPTZ"), safe=safe or None)
