"""Derive what a Flink streaming query emits (pipeline stage "derive changelog / keys").

:func:`derive` computes, bottom-up over the query tree and without recursion, each relational
operator's :class:`Relation`: insert-only or updating (with deletes), unique (upsert) keys,
time attributes and output columns.  The rules mirror Flink 2.3's planner and are checked
against it by ``tests/derive`` (a differential test over generated queries).
"""

from shiftleft.derive.engine import WINDOW_TVFS, derive, query_of
from shiftleft.derive.rank import TopNFilter, top_n_filter
from shiftleft.derive.relation import Mode, RankSpec, Relation, append_source, upsert_source

__all__ = [
    "WINDOW_TVFS",
    "Mode",
    "TopNFilter",
    "RankSpec",
    "Relation",
    "append_source",
    "derive",
    "top_n_filter",
    "query_of",
    "upsert_source",
]
