"""What a relational operator emits in a Flink stream: its changelog mode, unique keys and
time attributes (the result type of :func:`shiftleft.derive.derive`).

Keys are the *upsert keys* Flink's planner would find (the keys an upsert sink may be keyed
on): a set of column sets, by lower-cased output column name.  When unsure the derivation
drops a key or says "updating" (conservative: a retract sink always fits); it never invents
a key or an insert-only result.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict


class Mode(str, Enum):
    INSERT_ONLY = "insert-only"
    UPDATING = "updating"


class RankSpec(BaseModel):
    """A ``ROW_NUMBER() OVER (PARTITION BY p ORDER BY o)`` column, before it is filtered."""

    model_config = ConfigDict(frozen=True)

    #: partition columns (output names of the relation that projects the row number); None
    #: when a partition expression is not projected as a plain column
    partition: tuple[str, ...] | None
    #: the single ORDER BY column when it is a time attribute, else None
    order_time: str | None = None
    descending: bool = False
    #: the partition holds window_start and window_end of a window TVF (a window Top-N)
    windowed: bool = False


class Relation(BaseModel):
    """The derived streaming properties of one relational operator's output."""

    model_config = ConfigDict(frozen=True)

    #: output column names (None: unknown, e.g. a table not in the catalog read with *)
    columns: tuple[str, ...] | None = None
    mode: Mode = Mode.INSERT_ONLY
    #: the changelog may carry DELETE rows (and UPDATE_BEFORE when consumed without a key)
    deletes: bool = False
    #: unique (upsert) keys, each a set of lower-cased output column names
    keys: frozenset[frozenset[str]] = frozenset()
    #: output columns still valid as event-time attributes (lower-cased)
    time_attributes: frozenset[str] = frozenset()
    #: columns still typed as rowtime without being usable time attributes (after a regular
    #: join, Flink keeps the type: a sink may take only one rowtime column)
    rowtime: frozenset[str] = frozenset()
    #: window_start / window_end columns of a window TVF (lower-cased)
    window_columns: frozenset[str] = frozenset()
    #: the window columns went through an operator that may or may not keep their window
    #: properties (a UNION ALL, a join of windowed inputs, a Top-N): an aggregation or a
    #: Top-N on them is derived conservatively (updating, no key)
    windows_unsure: bool = False
    #: the rows come straight from a regular join (through projections and filters only):
    #: the planner may push a DISTINCT / GROUP BY without aggregate calls below the join
    #: (then the join's keys, not the group columns, key the result)
    joined: bool = False
    #: at most one row (a global aggregate): unique on any columns, yet no upsert key
    single_row: bool = False
    #: the single row comes from a global Top-1 (no PARTITION BY): Flink derives no upsert
    #: key for it, so a join does not treat it as unique on its join columns
    top1: bool = False
    #: columns holding one constant value (a Top-1's row number): Flink drops them from
    #: GROUP BY keys
    constants: frozenset[str] = frozenset()
    #: SESSION windows with PARTITION BY: the partition columns a window aggregation must
    #: group on (else Flink falls back to an updating aggregation)
    window_partition: frozenset[str] = frozenset()
    #: row-number columns (lower-cased name -> how they were computed)
    ranks: dict[str, RankSpec] = {}
    #: the operator that decided the mode, and why (for diagnostics)
    operator: str = "scan"
    reason: str = "an append-only source"
    #: operators that keep unbounded state (regular joins, non-windowed aggregations)
    state: tuple[str, ...] = ()

    @property
    def updating(self) -> bool:
        return self.mode is Mode.UPDATING

    @property
    def rowtime_columns(self) -> frozenset[str]:
        """Every output column Flink types as rowtime (time attributes and the others)."""
        return self.time_attributes | self.rowtime

    def has_column(self, name: str) -> bool | None:
        """True/False when the columns are known, None otherwise."""
        if self.columns is None:
            return None
        return name.lower() in {c.lower() for c in self.columns}

    def best_key(self, prefer: list[str] | None = None) -> list[str] | None:
        """The key to write an upsert sink on: ``prefer`` when it is a derived key, else the
        smallest non-empty key (ties: first by column order), or None."""
        if prefer and frozenset(p.lower() for p in prefer) in self.keys:
            return list(prefer)
        candidates = [k for k in self.keys if k]
        if not candidates:
            return None
        order = {c.lower(): i for i, c in enumerate(self.columns or ())}
        best = min(candidates, key=lambda k: (len(k), sorted(order.get(c, 1 << 20) for c in k)))
        names = {c.lower(): c for c in self.columns or ()}
        return sorted((names.get(c, c) for c in best), key=lambda c: order.get(c.lower(), 1 << 20))


def append_source(columns: list[str], time_attributes: list[str] = ()) -> Relation:  # type: ignore[assignment]
    """An append-only source table (Kafka with a JSON/Avro value format...)."""
    return Relation(
        columns=tuple(columns),
        time_attributes=frozenset(c.lower() for c in time_attributes),
    )


def upsert_source(
    columns: list[str], primary_key: list[str], time_attributes: list[str] = ()  # type: ignore[assignment]
) -> Relation:
    """An upsert source (upsert-kafka, a CDC table) keyed on ``primary_key``."""
    return Relation(
        columns=tuple(columns),
        mode=Mode.UPDATING,
        deletes=True,
        keys=frozenset({frozenset(k.lower() for k in primary_key)}),
        time_attributes=frozenset(c.lower() for c in time_attributes),
        operator="upsert source",
        reason=f"an upsert source keyed on {', '.join(primary_key)}",
    )
