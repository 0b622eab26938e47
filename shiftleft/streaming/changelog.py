"""What a Flink streaming query emits, in sink terms: append-only rows, upserts to a key, or a
retract changelog (updates without a key).

A thin view of :func:`shiftleft.derive.derive` (the derivation over the whole query tree,
checked against Flink's planner by ``tests/derive``): an insert-only result is **append**, an
updating result with a unique key in its output is **upsert** on that key, an updating
result without one is **retract** (a changelog sink: ``kafka`` + ``debezium-json``, or
Confluent's ``'changelog.mode' = 'retract'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from pydantic import BaseModel
from sqlglot import exp

from shiftleft.derive import WINDOW_TVFS, Relation, derive

__all__ = ["WINDOW_TVFS", "Changelog", "ChangelogMode", "analyze", "changelog_of"]


class ChangelogMode(str, Enum):
    APPEND = "append"
    UPSERT = "upsert"
    RETRACT = "retract"


class Changelog(BaseModel):
    """What a query emits: its mode, the output columns that key its updates, and why."""

    mode: ChangelogMode
    key: list[str] = []
    reason: str
    #: the full derivation (keys, time attributes, state), when derived
    relation: Relation | None = None

    @property
    def updating(self) -> bool:
        return self.mode is not ChangelogMode.APPEND


def changelog_of(relation: Relation, prefer: list[str] | None = None) -> Changelog:
    """The sink changelog of a derived relation (``prefer``: the user's key, used when it is a
    derived unique key)."""
    if not relation.updating:
        return Changelog(
            mode=ChangelogMode.APPEND, key=relation.best_key(prefer) or [], reason=relation.reason,
            relation=relation,
        )
    key = relation.best_key(prefer)
    if key:
        return Changelog(mode=ChangelogMode.UPSERT, key=key, reason=relation.reason, relation=relation)
    return Changelog(
        mode=ChangelogMode.RETRACT,
        reason=f"{relation.reason}; no unique key in the output",
        relation=relation,
    )


def analyze(
    query: exp.Expr,
    catalog: Mapping[str, Relation] | None = None,
    prefer: list[str] | None = None,
) -> Changelog:
    """The changelog of a Flink query (a SELECT, a set operation, or what an INSERT writes);
    ``catalog``: derived relations of the tables / views / parent models it reads."""
    return changelog_of(derive(query, catalog), prefer)
