"""Infer what a Flink streaming query emits: append-only rows, or updates to a key.

Flink's planner decides this for real (and rejects an append-only sink fed by updates); this
module mirrors its rules on the AST so that shiftleft can write a sink table that fits before
anything is planned:

* scan, projection, filter, window-TVF aggregation, interval / temporal join, OVER
  aggregation, UNNEST, dedup keep-first on event time: **append**;
* GROUP BY (not on a window), DISTINCT, dedup keep-last, Top-N, a regular join with an
  updating input: **upsert** on the grouping / partition key when the key is in the output;
* an outer regular join, or updates whose key is not in the output: **retract** (the sink
  needs a changelog format such as debezium-json, or a key).

https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/concepts/dynamic_tables/
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel
from sqlglot import exp


class ChangelogMode(str, Enum):
    APPEND = "append"
    UPSERT = "upsert"
    RETRACT = "retract"


_ORDER = {ChangelogMode.APPEND: 0, ChangelogMode.UPSERT: 1, ChangelogMode.RETRACT: 2}


class Changelog(BaseModel):
    """What a query emits: its mode, the output columns that key its updates, and why."""

    mode: ChangelogMode
    key: list[str] = []
    reason: str

    @property
    def updating(self) -> bool:
        return self.mode is not ChangelogMode.APPEND


def _output_names(select: exp.Select) -> dict[str, str]:
    """Map the SQL of each projected expression (and its alias) to its output name."""
    names: dict[str, str] = {}
    for projection in select.expressions:
        name = projection.alias_or_name
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        names[inner.sql("flink")] = name
        names[name.lower()] = name
    return names


def _keys_in_output(select: exp.Select, keys: list[exp.Expr]) -> list[str] | None:
    """Output column names of ``keys``, or None when a key is not projected."""
    names = _output_names(select)
    found = []
    for key in keys:
        name = names.get(key.sql("flink")) or (names.get(key.name.lower()) if isinstance(key, exp.Column) else None)
        if name is None:
            return None
        found.append(name)
    return found


#: the window table-valued functions (their aggregations are append-only)
WINDOW_TVFS = {"TUMBLE", "HOP", "CUMULATE", "SESSION"}


def _is_window_tvf(select: exp.Select) -> bool:
    """True when the FROM clause reads a window table-valued function."""
    source = select.args.get("from_")
    return source is not None and any(
        isinstance(node, exp.Anonymous) and node.name.upper() in WINDOW_TVFS for node in source.walk()
    )


def _row_number_filter(select: exp.Select) -> tuple[exp.Window, exp.Expr] | None:
    """(the ROW_NUMBER window, its limit literal) when ``select`` filters a ROW_NUMBER."""
    where = select.args.get("where") or select.args.get("qualify")
    inner = select.args.get("from_")
    if where is None or inner is None:
        return None
    condition = where.this
    if not isinstance(condition, (exp.EQ, exp.LTE, exp.LT)):
        return None
    column, limit = condition.this, condition.expression
    subquery = inner.this
    source = subquery.this if isinstance(subquery, exp.Subquery) else select
    if not isinstance(source, exp.Select):
        return None
    for projection in source.expressions:
        window = projection.this if isinstance(projection, exp.Alias) else projection
        if (
            isinstance(window, exp.Window)
            and isinstance(window.this, exp.RowNumber)
            and projection.alias_or_name.lower() == column.name.lower()
        ):
            return window, limit
    return None


def analyze(query: exp.Expr) -> Changelog:
    """The changelog of a Flink query (a SELECT, a set operation, or what an INSERT writes)."""
    if isinstance(query, exp.Insert):
        query = query.expression
    if isinstance(query, exp.Subquery):
        query = query.this
    if isinstance(query, exp.Union):
        left, right = analyze(query.left), analyze(query.right)
        worst = max(left, right, key=lambda c: _ORDER[c.mode])
        if not query.args.get("distinct"):
            return Changelog(mode=worst.mode, key=[], reason=f"UNION ALL of {left.mode.value} and {right.mode.value} inputs") if worst.updating else worst
        return Changelog(mode=ChangelogMode.UPSERT, key=[], reason="UNION (distinct) keeps state per row")
    if not isinstance(query, exp.Select):
        return Changelog(mode=ChangelogMode.APPEND, reason="not a query")

    dedup = _row_number_filter(query)
    if dedup is not None:
        window, limit = dedup
        partition = list(window.args.get("partition_by") or [])
        order = window.args.get("order")
        descending = bool(order and order.expressions and order.expressions[0].args.get("desc"))
        keys = _keys_in_output(query, partition) if partition else []
        if isinstance(limit, exp.Literal) and limit.this == "1" and not descending:
            return Changelog(mode=ChangelogMode.APPEND, key=keys or [], reason="deduplication keeping the first row per key")
        if keys is None:
            return Changelog(mode=ChangelogMode.RETRACT, reason="deduplication / Top-N whose partition key is not in the output")
        return Changelog(mode=ChangelogMode.UPSERT, key=keys, reason="deduplication keeping the last row / Top-N per key")

    group = query.args.get("group")
    if group and group.expressions:
        if _is_window_tvf(query):
            keys = _keys_in_output(query, list(group.expressions))
            return Changelog(mode=ChangelogMode.APPEND, key=keys or [], reason="window aggregation (one final row per window)")
        keys = _keys_in_output(query, list(group.expressions))
        if keys is None:
            return Changelog(mode=ChangelogMode.RETRACT, reason="GROUP BY whose keys are not all in the output")
        return Changelog(mode=ChangelogMode.UPSERT, key=keys, reason="GROUP BY aggregation updates its rows")
    if any(isinstance(p.this if isinstance(p, exp.Alias) else p, exp.AggFunc) for p in query.expressions):
        return Changelog(mode=ChangelogMode.RETRACT, reason="a global aggregate updates its single row")
    if query.args.get("distinct"):
        names = [p.alias_or_name for p in query.expressions]
        return Changelog(mode=ChangelogMode.UPSERT, key=names, reason="SELECT DISTINCT")

    modes = [ChangelogMode.APPEND]
    source = query.args.get("from_")
    if source is not None and isinstance(source.this, exp.Subquery):
        modes.append(analyze(source.this).mode)
    for join in query.args.get("joins") or []:
        target = join.this
        if isinstance(target, exp.Subquery):
            modes.append(analyze(target).mode)
        temporal = isinstance(target, exp.Table) and target.args.get("version") is not None
        if join.side in ("LEFT", "RIGHT", "FULL") and not temporal and not isinstance(target, exp.Unnest):
            modes.append(ChangelogMode.RETRACT)
    worst = max(modes, key=_ORDER.__getitem__)
    if worst is ChangelogMode.APPEND:
        return Changelog(mode=worst, reason="projection / filter / join of append-only inputs")
    return Changelog(mode=ChangelogMode.RETRACT, reason="an input or an outer join produces updates")
