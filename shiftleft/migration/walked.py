"""One walk of a query tree, its nodes picked out by kind.

The migration's checks of a model each look for a few kinds of node (comparisons, CASTs,
columns, ...).  Walking the tree costs far more than looking at a node, so the tree is walked
once and each check reads its kinds from that walk, in the order ``find_all`` would give them
(breadth first).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar, cast

from sqlglot import exp

from shiftleft.tree import nodes

E = TypeVar("E", bound=exp.Expr)
#: node kinds looked for together, as given to ``find_all``
Kinds = tuple[type[exp.Expr], ...]


@lru_cache(maxsize=1024)  # pure: a tree holds a few dozen node classes, the groups are constants
def _groups_of(kind: type, groups: tuple[Kinds, ...]) -> tuple[int, ...]:
    """The positions in ``groups`` of the groups a node of class ``kind`` belongs to."""
    return tuple(k for k, group in enumerate(groups) if issubclass(kind, group))


class Walked:
    """The nodes of ``tree`` of each group of ``groups``, from one walk of the tree.

    The tree must not change while the groups are read (they are what the walk found)."""

    def __init__(self, tree: exp.Expr, groups: Iterable[Kinds]) -> None:
        self._groups = tuple(dict.fromkeys(groups))
        found: list[list[exp.Expr]] = [[] for _ in self._groups]
        for node in nodes(tree):
            kind: type = type(node)
            for k in _groups_of(kind, self._groups):
                found[k].append(node)
        self._found = dict(zip(self._groups, found))

    def of(self, *kinds: type[E]) -> list[E]:
        """The nodes of any of ``kinds`` (one of the groups given), in walk order: what
        ``tree.find_all(*kinds)`` yields."""
        return cast("list[E]", self._found[kinds])
