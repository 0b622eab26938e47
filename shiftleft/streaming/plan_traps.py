"""Plans Flink accepts whose results differ from the batch query's, read from the planner's
``EXPLAIN CHANGELOG_MODE`` text.

**An insert-only first row.**  Flink 2.3 plans some Top-1s over an insert-only input
(``ROW_NUMBER() OVER (PARTITION BY k ORDER BY x) = 1`` with an ascending ``x`` that is not
an event-time attribute, among others) as a ``Rank`` with ``changelogMode=[I]``: when a later
row takes first place it is emitted as one more insert and the row it replaces is never
retracted (checked: a Top-1 by amount over rows 10 then 3 returns both).  Only a sink that
upserts on the partition key replaces the old row; anything else above the Rank (a join, an
aggregate, a retract or append sink, ``collect()``) keeps rows the batch query would not
return.
"""

from __future__ import annotations

from shiftleft.flink_engine.plan_text import physical_plan

_PASS_THROUGH = {"Calc", "Exchange", "Sink", "DropUpdateBefore", "WatermarkAssigner"}


def stale_first_row(explain: str, sink_key: list[str] | None = None) -> str | None:
    """Why the plan's insert-only Top-1 keeps stale rows (None: no such Top-1, or it feeds an
    upsert sink keyed on its partition, ``sink_key``)."""
    plan = physical_plan(explain)
    for index, rank in enumerate(plan.operators):
        if rank.operator != "Rank" or "rankEnd=1]" not in rank.args or rank.field("changelogMode") != "I":
            continue
        order = rank.field("orderBy")
        if order.upper().startswith(("ROWTIME", "PROCTIME")):
            continue  # the first row by time: the deduplication SL4001 describes (insert-only)
        partition = rank.field("partitionBy")
        blocking = [c.operator for c in plan.ancestors(index) if c.operator not in _PASS_THROUGH]
        keys = {k.strip().lower() for k in partition.split(",") if k.strip()}
        if not blocking and sink_key is not None and {k.lower() for k in sink_key} == keys:
            continue
        where = f"the {blocking[0]} above it" if blocking else "a result not upserted on " + (partition or "its key")
        return (
            f"Flink plans the Top-1 (partition [{partition}], order [{order}]) as insert-only: when a later "
            f"row takes first place, the earlier one is not retracted, so {where} keeps rows the "
            "batch query would not return"
        )
    return None
