"""Shared analysis for the streaming rules (not a rule file: its name starts with ``_``).

Rule files load it with :func:`load` below (a pack directory is not a Python package).
"""

from __future__ import annotations

from sqlglot import exp

# the one Top-N / dedup detector, shared with the derivation (shiftleft.derive.rank)
from shiftleft.derive.rank import RANKING, TopNFilter, conjuncts, top_n_filter  # noqa: F401
from shiftleft.rewrite import RuleContext


def tables_in_scope(node: exp.Expr) -> list[exp.Table]:
    """Source tables of the query around ``node`` (its SELECT, nested queries included)."""
    select = node if isinstance(node, exp.Select) else node.find_ancestor(exp.Select)
    root = select if select is not None else node.root()
    return [t for t in root.find_all(exp.Table) if isinstance(t.this, exp.Identifier)]


def any_event_time(node: exp.Expr, ctx: RuleContext) -> bool:
    """True when some source table of ``node``'s query has a declared event-time column."""
    return any(ctx.event_time_column(t.name) for t in tables_in_scope(node))


def is_aggregated(select: exp.Select) -> bool:
    """True when ``select`` groups, de-duplicates or aggregates (time attributes are lost)."""
    if select.args.get("group") or select.args.get("distinct"):
        return True
    return any(
        agg.parent_select is select and not isinstance(agg.parent, exp.Window)
        for projection in select.expressions
        for agg in projection.find_all(exp.AggFunc)
    )


def column_sql(node: exp.Expr) -> str:
    """Flink SQL text of ``node`` for messages."""
    return node.sql("flink")


_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)


def _join_sides(join: exp.Join) -> tuple[set[str], set[str]]:
    """Names (alias or table name, lower case) of the inputs left of ``join`` and of its right."""
    select = join.parent
    left: set[str] = set()
    if isinstance(select, exp.Select):
        source = select.args.get("from_")
        if source is not None and source.this.alias_or_name:
            left.add(source.this.alias_or_name.lower())
        for other in select.args.get("joins") or []:
            if other is join:
                break
            if other.this.alias_or_name:
                left.add(other.this.alias_or_name.lower())
    right = {join.this.alias_or_name.lower()} if join.this.alias_or_name else set()
    return left, right


def _range_table_sets(condition: exp.Expr | None) -> list[set[str]]:
    """For each range comparison in ``condition``: the table qualifiers it mentions."""
    if condition is None:
        return []
    return [{c.table.lower() for c in cmp.find_all(exp.Column) if c.table} for cmp in condition.find_all(*_RANGE)]


def regular_join_inputs(join: exp.Join, memo: dict | None = None) -> list[str] | None:
    """The input names of ``join`` when it is a regular join that keeps both sides in state
    forever; None for semi/anti joins, UNNEST / table functions, temporal joins
    (``FOR SYSTEM_TIME AS OF``) and interval joins (a range condition between both sides).

    ``memo`` (e.g. ``ctx.memo``) caches the WHERE analysis shared by the joins of a SELECT."""
    kind = str(join.args.get("kind") or "").upper()
    if kind in ("SEMI", "ANTI") or not isinstance(join.this, (exp.Table, exp.Subquery)):
        return None
    if isinstance(join.this, exp.Table) and (
        not isinstance(join.this.this, exp.Identifier) or join.this.args.get("version") is not None
    ):
        return None
    select = join.parent
    if not isinstance(select, exp.Select):
        return None
    left, right = _join_sides(join)
    key = ("where-range-tables", id(select))
    where_sets = memo.get(key) if memo is not None else None
    if where_sets is None:
        where = select.args.get("where")
        where_sets = _range_table_sets(where.this if where else None)
        if memo is not None:
            memo[key] = where_sets
    for tables in [*_range_table_sets(join.args.get("on")), *where_sets]:
        if tables & left and tables & right:
            return None
    return sorted(left | right)
