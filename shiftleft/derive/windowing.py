"""May a time-bucket ``GROUP BY`` become a window TVF?  The one place deciding it.

Spark buckets time with ``GROUP BY window(ts, ...)``, ``session_window(ts, ...)`` or
``date_trunc('hour', ts)``; Flink's bounded-state, insert-only form is a window aggregation over
``TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))``.  That form is only faithful when

* ``ts`` is a *time attribute* of the input (a watermarked column, still valid after the
  views, CTEs and projections in between: the derivation tracks it), else Flink rejects it;
* the input is *insert-only*.  Flink 2.3 accepts a window aggregation over an updating input
  (an upsert table, a keep-last dedup, a join...) and plans it insert-only, but it emits each
  window once, when the watermark passes its end, and drops the updates and retractions that
  arrive later: the result differs from the batch (dbt / Spark) result, which counts every
  row's final version.  Checked on the planner: ``GlobalWindowAggregate ... changelogMode=[I]``
  over ``ChangelogNormalize ... [I,UB,UA,D]``.  The regular ``GROUP BY FLOOR(ts TO ...)`` stays
  exact (updating, unbounded state).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp

from shiftleft.derive.engine import derive
from shiftleft.derive.relation import Relation


@dataclass(frozen=True)
class BucketInput:
    """What a time bucket's input is, for the window-TVF decision."""

    relation: Relation
    #: the bucketed column is a time attribute of the input
    time_attribute: bool

    @property
    def updating(self) -> bool:
        return self.relation.updating

    def missing_time(self, column: str, table: str) -> str:
        """Why ``column`` cannot drive a window (for diagnostics)."""
        known = sorted(self.relation.time_attributes)
        found = f"its time attributes: {', '.join(known)}" if known else "it has no time attribute"
        return f"{column} is not a time attribute of {table} ({found})"

    def updating_reason(self, table: str) -> str:
        return (
            f"{table} is an updating input ({self.relation.reason}): a window aggregation emits each "
            "window once when the watermark passes its end and drops the updates and retractions "
            "arriving later, so its result would differ from the batch result"
        )


def bucket_input(source: exp.Expr, column: str, catalog: Mapping[str, Relation] | None = None) -> BucketInput:
    """Derive ``source`` (the FROM table: a catalog table, a view, a CTE name) and say whether
    ``column`` is one of its time attributes."""
    relation = derive(source, catalog)
    return BucketInput(relation=relation, time_attribute=column.lower() in relation.time_attributes)
