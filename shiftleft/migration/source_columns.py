"""The columns of a source table the project does not fully declare, decided before the
models reading it are translated.

Declared columns (``columns:`` with ``data_type``) come first.  Otherwise the columns are
those its readers use (:func:`shiftleft.migration.columns.demanded_columns`), and those the
models further below use through a reader that passes them on unchanged (``select *``), typed
by their use in the reader, or further down: a column a reader passes through unchanged (``select
l_price as price``) and a model below sums is numeric in the source too
(:func:`shiftleft.migration.columns.trace`).  What stays untyped is STRING, with a warning that
names the columns; a source with no column at all is an ``SL5012`` error, never an empty DDL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from shiftleft.migration.codes import COLUMNS_ID
from shiftleft.migration.columns import demanded_columns, root_scope, trace
from shiftleft.migration.project import DbtProject, Node
from shiftleft.migration.relations import identifier
from shiftleft.models import Diagnostic, Severity
from shiftleft.streaming.typed_query import flink_type
from shiftleft.streaming.sources import INFERRED_ID

#: how many models below a source a use may be and still type the source's column
USE_DEPTH = 4


class _Run(Protocol):
    project: DbtProject
    read: str
    parents: dict[str, list[str]]
    rendered: dict[str, str]
    captured: dict[str, str]
    trees: dict[str, exp.Expr | None]
    scopes: dict[str, Scope | None]
    demands: dict[str, list[tuple[str, str | None]]]
    #: the models reading each node (built on first use, from ``parents``)
    readers: dict[str, list[str]] | None
    #: :func:`~shiftleft.migration.columns.trace` of (reader, output column), once each
    traces: dict[tuple[str, str], tuple[str, str] | None]
    #: :func:`_through_readers` of (node, depth), once each
    passed: dict[tuple[str, int], list[tuple[str, str | None]]]

    def columns_of(self, node: Node | None) -> list[tuple[str, str]] | None: ...


def reader_tree(run: _Run, uid: str) -> exp.Expr | None:
    """The parsed SQL of model ``uid`` (final render, else the first pass with its table
    names brought up to date), parsed once."""
    if uid in run.trees:
        return run.trees[uid]
    tree: exp.Expr | None = None
    final = run.rendered.get(uid)
    text = final if final is not None else run.captured.get(uid)
    if text:
        try:
            tree = sqlglot.parse_one(text, read=run.read)
        except Exception:  # noqa: BLE001 - an unreadable reader is reported on its own
            tree = None
    if tree is not None and final is None:
        renamed: dict[str, str | None] = {}
        for parent_id in run.parents.get(uid, []):
            parent = run.project.nodes.get(parent_id)
            if parent is not None and parent.flink_name:
                old = identifier(parent).lower()
                renamed[old] = None if old in renamed else parent.flink_name  # ambiguous: no
        for table in tree.find_all(exp.Table):
            new = renamed.get(table.name.lower())
            if new:
                table.set("this", exp.to_identifier(new))
    run.trees[uid] = tree
    return tree


def reader_scope(run: _Run, uid: str) -> Scope | None:
    """The root scope of :func:`reader_tree` (built once)."""
    if uid not in run.scopes:
        run.scopes[uid] = root_scope(reader_tree(run, uid))
    return run.scopes[uid]


def _readers(run: _Run, uid: str) -> list[str]:
    """The rendered models reading ``uid``, in the order of ``parents`` (an index built on the
    first call: asking every model's parents per source and column grows with the square of
    the project)."""
    if run.readers is None:
        index: dict[str, list[str]] = {}
        for reader, parents in run.parents.items():
            if reader in run.rendered or reader in run.captured:
                for parent in dict.fromkeys(parents):
                    index.setdefault(parent, []).append(reader)
        run.readers = index
    return run.readers.get(uid, [])


def _trace(run: _Run, reader: str, scope: Scope, output: str) -> tuple[str, str] | None:
    key = (reader, output)
    if key not in run.traces:
        run.traces[key] = trace(scope, output)
    return run.traces[key]


def _known(run: _Run, reader: str, skip: Node) -> dict[str, dict[str, str]]:
    known = {}
    for parent_id in run.parents.get(reader, []):
        parent = run.project.nodes.get(parent_id)
        columns = run.columns_of(parent) if parent is not None and parent is not skip else None
        if parent is not None and columns:
            known[parent.table_name] = {n: flink_type(t, run.read) or "STRING" for n, t in columns}
    return known


def _demands(run: _Run, node: Node) -> list[tuple[str, str | None]]:
    """(column, type its use implies) of what the models reading ``node`` take from it."""
    if node.unique_id not in run.demands:
        found: dict[str, tuple[str, str | None]] = {}
        for reader in _readers(run, node.unique_id):
            scope = reader_scope(run, reader)
            if scope is None:
                continue
            known = _known(run, reader, node)
            for name, kind in demanded_columns(node.table_name, [scope], known):
                before = found.get(name.lower(), (name, None))
                found[name.lower()] = (before[0], before[1] or kind)
        run.demands[node.unique_id] = list(found.values())
    return run.demands[node.unique_id]


def _through_readers(run: _Run, node: Node, depth: int) -> list[tuple[str, str | None]]:
    """(column of ``node``, type its use implies) that models further below take from it
    through readers passing its columns on unchanged (a staging model's ``select *``), down
    to ``depth`` levels: without them a source read directly for one column and through a
    ``select *`` model for the others would be declared with the first alone."""
    if depth <= 0:
        return []
    key = (node.unique_id, depth)
    if key in run.passed:
        return run.passed[key]
    run.passed[key] = []  # a cycle reads as nothing more
    found: dict[str, tuple[str, str | None]] = {}
    for reader in _readers(run, node.unique_id):
        reader_node = run.project.nodes.get(reader)
        scope = reader_scope(run, reader)
        if reader_node is None or scope is None:
            continue
        for name, kind in [*_demands(run, reader_node), *_through_readers(run, reader_node, depth - 1)]:
            origin = _trace(run, reader, scope, name)
            if origin and origin[0].lower() == node.table_name.lower():
                before = found.get(origin[1].lower(), (origin[1], None))
                found[origin[1].lower()] = (before[0], before[1] or kind)
    run.passed[key] = list(found.values())
    return run.passed[key]


def _types_below(run: _Run, node: Node, column: str, depth: int) -> str | None:
    """The type the use of ``column`` of ``node`` implies in the models reading it, following
    the columns they pass through unchanged, down to ``depth`` levels."""
    if depth <= 0:
        return None
    for name, kind in _demands(run, node):
        if name.lower() == column.lower() and kind:
            return kind
    for reader in _readers(run, node.unique_id):
        reader_node = run.project.nodes.get(reader)
        tree, scope = reader_tree(run, reader), reader_scope(run, reader)
        if reader_node is None or scope is None or reader_node.materialized == "ephemeral":
            continue
        outputs = tree.named_selects if isinstance(tree, exp.Query) else []
        candidates = dict.fromkeys(
            [*(o for o in outputs if o != "*"), column, *(n for n, _ in _demands(run, reader_node))]
        )
        for output in candidates:
            origin = _trace(run, reader, scope, output)
            if (
                origin
                and origin[0].lower() == node.table_name.lower()
                and origin[1].lower() == column.lower()
            ):
                found = _types_below(run, reader_node, output, depth - 1)
                if found:
                    return found
    return None


def source_columns(run: _Run, node: Node) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """(name, Flink type) of a source's columns, and the findings about them."""
    declared = [
        (c.name, flink_type(c.data_type, run.read) if c.data_type else None)
        for c in node.columns.values()
    ]
    if declared and all(t for _, t in declared):
        return [(n, str(t)) for n, t in declared], []
    readers = _readers(run, node.unique_id)
    found: dict[str, tuple[str, str | None]] = {n.lower(): (n, t) for n, t in declared}
    for name, kind in [*_demands(run, node), *_through_readers(run, node, USE_DEPTH)]:
        name_, before = found.get(name.lower(), (name, None))
        found[name.lower()] = (name_, before or kind)
    for key, (name, kind) in list(found.items()):
        if kind is None:
            found[key] = (name, _types_below(run, node, name, USE_DEPTH))
    return _decided(node, found, bool(readers))


def _decided(
    node: Node, found: Mapping[str, tuple[str, str | None]], read: bool
) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    what = f"source {node.source_name}.{node.name}"
    if not found:
        message = (
            f"{what}: no column is declared and none can be found in the models reading it "
            "(they select *); its table is not declared"
            if read
            else f"{what}: no model reads it and it declares no column; not declared"
        )
        return [], [
            Diagnostic.of(
                COLUMNS_ID,
                message,
                severity=Severity.ERROR if read else Severity.WARNING,
                suggestion="declare the columns with data_type in the sources .yml",
            )
        ]
    columns = [(n, t or "STRING") for n, t in found.values()]
    untyped = [n for n, t in found.values() if not t]
    typed = [f"{n} {t}" for n, t in found.values() if t]
    message = (
        f"{what}: column types not declared; the columns ({', '.join(c for c, _ in columns)}) "
        "come from the models reading it"
        + (f"; typed STRING for want of a better guess: {', '.join(untyped)}" if untyped else "")
        + (f"; typed by their use: {', '.join(typed)}" if typed else "")
    )
    return columns, [
        Diagnostic.of(
            INFERRED_ID,
            message,
            suggestion="declare the columns with data_type in the sources .yml",
        )
    ]


__all__ = ["USE_DEPTH", "reader_tree", "source_columns"]
