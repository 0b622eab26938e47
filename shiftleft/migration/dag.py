"""The order of a dbt DAG: levels of nodes whose parents all come in earlier levels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def dag_levels(parents: Mapping[str, Iterable[str]]) -> tuple[list[list[str]], list[str]]:
    """(levels, cycle): each level sorted, after the levels holding its nodes' parents; parents
    that are not keys of ``parents`` are ignored.  ``cycle`` lists (sorted) the nodes left over
    because they depend on each other (empty for a DAG)."""
    remaining = {node: {p for p in ps if p in parents} for node, ps in parents.items()}
    levels: list[list[str]] = []
    done: set[str] = set()
    while remaining:
        level = sorted(node for node, ps in remaining.items() if ps <= done)
        if not level:
            return levels, sorted(remaining)
        levels.append(level)
        done.update(level)
        for node in level:
            remaining.pop(node)
    return levels, []
