"""The lineage of a migration as one self-contained SVG: parents left, children right.

Layout (a small Sugiyama): a table's column is the longest path from the roots to it; an
edge that spans several columns gets a lane of its own in every column it crosses (a "dummy
node" that takes part in the barycenter ordering), so it never runs under a box.  Every
edge leaves its parent's box at the border (the right side; the left side for an edge back
to an earlier column, which only a cycle gives), runs through the gaps between columns and
its lanes, and ends on the border of its child's box with an arrow.  Between two columns an
edge is a cubic curve whose control points lie in that gap, so the curve does too.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

from shiftleft.migration.models import MigrationResult
from shiftleft.migration.report import (
    STATUS_COLORS,
    _e,
    _Graph,
    _graph,
    _status,
    _subtitle,
    _tooltip,
)

__all__ = ["lineage_svg"]

_CHAR_W, _SUB_W, _PAD, _NODE_H, _GAP_X, _GAP_Y, _MARGIN = 7, 6, 12, 38, 64, 14, 16
_LANE, _LANE_GAP = 8, 4  # a long edge's lane through a column, and the space around it
_LOOP = 28  # how far an edge between two tables of one column bulges into the gap


def _layers(g: _Graph) -> dict[str, int]:
    """Longest path from the roots (Kahn's order); a cycle is broken at its first name."""
    indeg = {n: len(g.parents[n]) for n in g.nodes}
    heap = [n for n in g.nodes if indeg[n] == 0]  # sorted, so already a heap
    layer: dict[str, int] = {}
    cursor = 0
    while len(layer) < len(g.nodes):
        if not heap:  # only cycles are left: force the first unplaced node
            while g.nodes[cursor] in layer:
                cursor += 1
            heap.append(g.nodes[cursor])
        n = heapq.heappop(heap)
        if n in layer:
            continue
        layer[n] = max((layer[p] + 1 for p in g.parents[n] if p in layer), default=0)
        for c in g.children[n]:
            indeg[c] -= 1
            if indeg[c] == 0 and c not in layer:
                heapq.heappush(heap, c)
    return layer


def _chains(g: _Graph, layer: dict[str, int]) -> list[list[str]]:
    """Per edge (in ``g.edges`` order): parent, one lane per column crossed, child.  Lane
    names start with NUL (no table name does) and say which edge and column they are."""
    chains = []
    for i, (p, c) in enumerate(g.edges):
        step = 1 if layer[c] >= layer[p] else -1
        lanes = [f"\0{i}.{li}" for li in range(layer[p] + step, layer[c], step)]
        for lane, li in zip(lanes, range(layer[p] + step, layer[c], step)):
            layer[lane] = li
        chains.append([p, *lanes, c])
    return chains


def _columns(nodes: list[str], layer: dict[str, int], near: dict[str, list[str]], sweeps: int = 4) -> list[list[str]]:
    """Nodes (tables and lanes) per column, ordered by a few barycenter sweeps over their
    neighbours in the previous (or next) column; ties broken by name."""
    cols: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in sorted(nodes):
        cols[layer[n]].append(n)
    pos: dict[str, float] = {}

    def place(col: list[str]) -> None:
        for i, n in enumerate(col):
            pos[n] = (i + 0.5) / len(col)

    for col in cols:
        place(col)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for li in range(1, len(cols)) if down else range(len(cols) - 2, -1, -1):
            side = li - 1 if down else li + 1

            def key(n: str, side: int = side) -> tuple[float, str]:
                xs = [pos[m] for m in near.get(n, ()) if layer[m] == side]
                return (sum(xs) / len(xs) if xs else pos[n], n)

            cols[li].sort(key=key)
            place(cols[li])
    return cols


@dataclass
class _Layout:
    width: dict[str, int]  # box width per table
    top: dict[str, int] = field(default_factory=dict)  # box top per table, lane top per lane
    left: dict[str, int] = field(default_factory=dict)  # box left per table
    col_x: list[int] = field(default_factory=list)  # left edge of each column
    col_w: list[int] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)

    def mid(self, n: str) -> int:
        """The y where edges meet ``n``: the middle of its box or lane."""
        return self.top[n] + (_LANE if n.startswith("\0") else _NODE_H) // 2


def _layout(g: _Graph, cols: list[list[str]], loops: bool) -> _Layout:
    lay = _Layout(
        width={
            n: max(80, len(n) * _CHAR_W + 2 * _PAD, len(_subtitle(g.tables.get(n))) * _SUB_W + 2 * _PAD)
            for n in g.nodes
        }
    )

    def height(col: list[str]) -> list[int]:
        """y offset of each item of ``col`` from the column's top, and the column's height."""
        offsets, y = [], 0
        for i, n in enumerate(col):
            if i:
                y += _GAP_Y if not (n.startswith("\0") or col[i - 1].startswith("\0")) else _LANE_GAP
            offsets.append(y)
            y += _LANE if n.startswith("\0") else _NODE_H
        return [*offsets, y]

    spans = [height(col) for col in cols]
    tallest = max(s[-1] for s in spans)
    x = _MARGIN
    for col, span in zip(cols, spans):
        col_w = max(lay.width[n] for n in col if not n.startswith("\0"))
        base = _MARGIN + (tallest - span[-1]) // 2
        for n, dy in zip(col, span):
            lay.top[n] = base + dy
            if not n.startswith("\0"):
                lay.left[n] = x + (col_w - lay.width[n]) // 2
        lay.col_x.append(x)
        lay.col_w.append(col_w)
        x += col_w + _GAP_X
    lay.size = (x - _GAP_X + _MARGIN + (_LOOP if loops else 0), 2 * _MARGIN + tallest)
    return lay


def _n(v: float) -> str:
    """A coordinate: an integer, or one decimal."""
    return f"{v:.1f}".removesuffix(".0")


def _path(chain: list[str], layer: dict[str, int], lay: _Layout) -> str:
    """The SVG path of one edge: from the border of the parent's box, through the gaps and
    the lanes of ``chain``, to the border of the child's box (absolute M, L and C only)."""
    p, c = chain[0], chain[-1]
    right = lambda li: lay.col_x[li] + lay.col_w[li]
    left = lambda li: lay.col_x[li]
    forward = layer[c] > layer[p]
    if layer[c] == layer[p]:  # two tables of one column (a cycle): a loop into the gap on the right
        x0, y0, y1, edge = lay.left[p] + lay.width[p], lay.mid(p), lay.mid(c), right(layer[p])
        parts = [f"M{x0},{y0}", f"L{edge},{y0}" if edge > x0 else ""]
        parts.append(f"C{edge + _LOOP},{y0} {edge + _LOOP},{y1} {edge},{y1}")
        end = lay.left[c] + lay.width[c]
        parts.append(f"L{end},{y1}" if end < edge else "")
        return " ".join(q for q in parts if q)
    start = lay.left[p] + lay.width[p] if forward else lay.left[p]
    out_x = right(layer[p]) if forward else left(layer[p])
    y = lay.mid(p)
    parts = [f"M{start},{y}", f"L{out_x},{y}" if out_x != start else ""]
    x = out_x
    for n in chain[1:]:
        li, ny = layer[n], lay.mid(n)
        in_x = left(li) if forward else right(li)
        dx = (in_x - x) / 2
        parts.append(f"C{_n(x + dx)},{y} {_n(in_x - dx)},{ny} {in_x},{ny}")
        if n == c:
            end = lay.left[c] if forward else lay.left[c] + lay.width[c]
            parts.append(f"L{end},{ny}" if end != in_x else "")
        else:
            x = right(li) if forward else left(li)
            parts.append(f"L{x},{ny}")
        y = ny
    return " ".join(q for q in parts if q)


def lineage_svg(result: MigrationResult) -> str:
    """The pipeline DAG as one self-contained SVG document (parents left, children right).

    One ``<g class="node">`` per table and per external parent (``data-name``,
    ``data-status``, ``data-layer`` attributes; a ``<title>`` tooltip), one
    ``<path class="edge">`` per parent -> child edge (``data-from``, ``data-to``).
    """
    font = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'
    head = '<svg xmlns="http://www.w3.org/2000/svg" role="img" ' + font
    g = _graph(result)
    if not g.nodes:
        return (
            f'{head} width="160" height="40" viewBox="0 0 160 40">'
            f"<title>{_e(result.project)}: no tables</title>"
            '<text x="80" y="24" text-anchor="middle" font-size="13" fill="#666">'
            "no tables</text></svg>\n"
        )
    layer = _layers(g)
    tables_layer = dict(layer)
    chains = _chains(g, layer)
    near: dict[str, list[str]] = {}
    for chain in chains:
        for a, b in itertools.pairwise(chain):
            near.setdefault(a, []).append(b)
            near.setdefault(b, []).append(a)
    cols = _columns([*g.nodes, *(n for chain in chains for n in chain[1:-1])], layer, near)
    lay = _layout(g, cols, loops=any(layer[p] == layer[c] for p, c in g.edges))
    w_total, h_total = lay.size
    out = [
        (
            f'{head} width="{w_total}" height="{h_total}" viewBox="0 0 {w_total} {h_total}" '
            f'aria-label="lineage of {_e(result.project)}">'
        ),
        f"<title>lineage of {_e(result.project)}</title>",
        (
            '<defs><marker id="sl-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" '
            'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            '<path d="M0,0 L8,4 L0,8 z" fill="#888"/></marker></defs>'
        ),
        '<g class="edges" fill="none" stroke="#999" stroke-width="1.3">',
    ]
    for (p, c), chain in zip(g.edges, chains):
        back = ' stroke="#c62828" stroke-dasharray="4 3"' if layer[p] >= layer[c] else ""
        out.append(
            f'<path class="edge" data-from="{_e(p)}" data-to="{_e(c)}"{back} '
            f'd="{_path(chain, layer, lay)}" marker-end="url(#sl-arrow)"/>'
        )
    out.append('</g><g class="nodes">')
    for n in g.nodes:
        t, nx, ny, w = g.tables.get(n), lay.left[n], lay.top[n], lay.width[n]
        status = _status(t)
        fill, stroke = STATUS_COLORS[status]
        dash = ' stroke-dasharray="5 3"' if status in ("inlined", "external") else ""
        ink = "#777" if t is None else "#222"
        out.append(
            f'<g class="node" data-name="{_e(n)}" data-status="{status}" '
            f'data-layer="{tables_layer[n]}"><title>{_e(_tooltip(n, t))}</title>'
            f'<rect x="{nx}" y="{ny}" width="{w}" height="{_NODE_H}" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
            f'<text x="{nx + w // 2}" y="{ny + 16}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{_e(n)}</text>'
            f'<text x="{nx + w // 2}" y="{ny + 30}" text-anchor="middle" font-size="10" '
            f'fill="#666">{_e(_subtitle(t))}</text></g>'
        )
    out.append("</g></svg>\n")
    return "\n".join(out)
